package ai.powerpost.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.demo.DemoProcess.Ports;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * README's console screenshots, taken from the demo itself (README's start command) in headless
 * Chromium: the demo operator signs in with the token the demo printed, the full-access key is
 * found by pasting it (after a few calls with it, so its page shows scopes it used and scopes it
 * never did), and the account page and the key page are screenshotted into
 * {@code demo/target/screenshots/console-account.png} and {@code console-key.png}, each checked to
 * be non-blank. docs/console-account.png and docs/console-key.png are copies of these.
 * Chromium missing fails the test, loudly.
 */
class ConsoleScreenshotsIT {

    private static final Path ROOT = root();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void theAccountPageAndTheKeyPageOfTheDemo() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("apt-get install chromium").isExecutable();
        assertThat(Path.of("/usr/bin/chromedriver"))
                .as("apt-get install chromium-driver")
                .isExecutable();
        ReadmeDemo readme = ReadmeDemo.parse(Files.readString(ROOT.resolve("README.md")));
        List<String> command = new ArrayList<>(readme.startCommand());
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--server.port=0", "--management.server.port=0"));
        assertThat(Files.readString(ROOT.resolve("README.md")))
                .contains("http://localhost:8081/console/")
                .contains("docs/console-account.png")
                .contains("docs/console-key.png");
        String full = DemoData.KEYS.get(0).secret();
        String operator = DemoData.OPERATORS.get(1).token();
        Files.createDirectories(SCREENSHOTS);

        try (DemoProcess demo = DemoProcess.start(ROOT, command)) {
            Ports ports = demo.awaitBanner(START_TIMEOUT);
            assertThat(demo.output()).contains("console:").contains("/console/");
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/api/v1/posts/post_1", "/api/v1/account/credits")) {
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + ports.api() + path))
                                .header("x-api-key", full)
                                .header("X-Workspace-Id", DemoData.WORKSPACE)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(path).isEqualTo(200);
            }
            ChromeOptions options = new ChromeOptions();
            options.setBinary("/usr/bin/chromium");
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--window-size=1280,900",
                    "--hide-scrollbars",
                    "--force-device-scale-factor=1");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                driver.manage().window().setSize(new Dimension(1280, 900));
                driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
                String console = "http://localhost:" + ports.management() + "/console";
                driver.get(console + "/");
                driver.findElement(By.id("token")).sendKeys(operator);
                driver.findElement(By.cssSelector("form[action='/console/sign-in'] button"))
                        .click();
                new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/console/$"));

                // the full-access key, by pasting it; its used scopes are written in a batch: wait for them
                Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
                String keyPage;
                do {
                    driver.get(console + "/");
                    driver.findElement(By.id("key")).sendKeys(full);
                    driver.findElement(By.cssSelector("form[method='post'][action='/console/find'] button"))
                            .click();
                    new WebDriverWait(driver, Duration.ofSeconds(10))
                            .until(ExpectedConditions.urlContains("/console/keys/key_"));
                    keyPage = driver.findElement(By.tagName("main")).getText();
                } while (!keyPage.contains("a narrower key would do")
                        && Instant.now().isBefore(deadline));
                assertThat(driver.getCurrentUrl()).contains("/console/keys/key_");
                assertThat(keyPage)
                        .contains("demo full access")
                        .contains("posts:publish")
                        .contains("a narrower key would do");
                assertThat(driver.getPageSource()).doesNotContain(full);
                shoot(driver, "console-key");

                driver.get(console + "/accounts/" + DemoData.ACCOUNT);
                assertThat(driver.findElement(By.cssSelector("table.keys")).getText())
                        .contains("demo full access")
                        .contains("full_access")
                        .contains("draft_only")
                        .contains("read_only");
                shoot(driver, "console-account");

            } finally {
                driver.quit();
            }
        }
    }

    private static void shoot(WebDriver driver, String name) throws Exception {
        byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as(name).isNotNull();
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in %s", name).isGreaterThan(16);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("routes.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root above " + Path.of("").toAbsolutePath());
    }
}
