package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs) driven through ChromeDriver. Missing, it fails the test that asked for it, loudly: a
 * browser test that skips proves nothing. Screenshots go to {@code target/screenshots/} and each is
 * checked to show something (more than a handful of colours).
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int MIN_COLOURS = 16;

    private final ChromeDriver driver;
    private final Path screenshots;

    private Browser(ChromeDriver driver, Path screenshots) {
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /** A fresh headless browser (its own profile: no cookies), screenshots into {@code screenshots}. */
    public static Browser start(Path screenshots) {
        assertThat(CHROMIUM)
                .as("Chromium is required by the console's browser tests: apt-get install chromium chromium-driver")
                .isExecutable();
        assertThat(CHROMEDRIVER)
                .as("ChromeDriver is required by the console's browser tests: apt-get install chromium-driver")
                .isExecutable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1280,1000",
                "--hide-scrollbars",
                "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().window().setSize(new Dimension(1280, 1000));
        try {
            Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Browser(driver, screenshots);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /**
     * Screenshots the page, the whole of it, into {@code <name>.png}, and checks it is not blank.
     * The file.
     */
    public Path screenshot(String name) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        assertNotBlank(name, png);
        Path file = screenshots.resolve(name + ".png");
        try {
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The PNG decodes and holds more than {@value #MIN_COLOURS} distinct colours. */
    public static void assertNotBlank(String name, byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(image).as("screenshot %s decodes as an image", name).isNotNull();
        assertThat(image.getWidth()).as("screenshot %s width", name).isGreaterThan(100);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size())
                .as("distinct colours in screenshot %s (a blank page has one)", name)
                .isGreaterThan(MIN_COLOURS);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
