package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.usage.Finding;
import ai.powerpost.gateway.usage.KeyUsage;
import ai.powerpost.gateway.usage.UsageQueries;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The key page's usage sections in a real browser, fed by a hand-made {@link UsageQueries} (the
 * recording itself is tested with its implementation): the chart drawn on the server shows under
 * the console's CSP, its legend, networks and findings show hostile strings as text and run nothing.
 */
@GatewayIntegrationTest
@Import(ConsoleUsageBrowserIT.HandMadeUsage.class)
class ConsoleUsageBrowserIT extends GatewayTestBase {

    static final String HOSTILE_ROUTE = "<img src=x onerror=alert(1)>";

    @TestConfiguration(proxyBeanMethods = false)
    static class HandMadeUsage {
        @Bean
        @Primary
        UsageQueries handMadeUsage() {
            return new UsageQueries() {
                @Override
                public Mono<KeyUsage> usage(String accountId, String keyId, int days) {
                    LocalDate today = LocalDate.now(ZoneOffset.UTC);
                    List<KeyUsage.Day> list = new ArrayList<>();
                    for (int i = days - 1; i >= 0; i--) {
                        long base = 40 + (i * 7L) % 25;
                        list.add(new KeyUsage.Day(
                                today.minusDays(i),
                                Map.of("posts", base, "media", base / 3, HOSTILE_ROUTE, i == 2 ? 90L : 0L),
                                Map.of("2xx", base)));
                    }
                    return Mono.just(new KeyUsage(
                            keyId,
                            list,
                            List.of(
                                    new KeyUsage.Network(
                                            "203.0.113.0/24",
                                            Instant.now().minus(Duration.ofDays(29)),
                                            Instant.now(),
                                            1400),
                                    new KeyUsage.Network(
                                            "198.51.100.0/24",
                                            Instant.now().minus(Duration.ofDays(2)),
                                            Instant.now(),
                                            90))));
                }

                @Override
                public Flux<Finding> findings(Instant since) {
                    return Flux.empty();
                }

                @Override
                public Flux<Finding> findingsOfKey(String keyId, Instant since) {
                    return Flux.just(
                            new Finding(
                                    "f_1",
                                    "acct",
                                    keyId,
                                    "new_network",
                                    Instant.now().minus(Duration.ofDays(2)),
                                    "first request from 198.51.100.0/24, not seen in the previous 14 days <script>alert(2)</script>"));
                }
            };
        }
    }

    @Test
    void theChartNetworksAndFindingsShowAndRunNothing() {
        String account = unique("acct_usage");
        createKey(account, "read_only");
        String keyId = (String) listKeys(account).get(0).get("id");
        @SuppressWarnings("unchecked")
        Map<String, Object> operator = admin.post()
                .uri("/admin/v1/operators")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "usage viewer", "role", "viewer"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        try (Browser browser = Browser.start(Path.of("target", "screenshots"))) {
            WebDriver driver = browser.driver();
            String base = "http://localhost:" + managementPort + "/console";
            driver.get(base + "/sign-in");
            driver.findElement(By.id("token")).sendKeys((String) operator.get("token"));
            driver.findElement(By.cssSelector("form[action='/console/sign-in'] button"))
                    .click();
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/console/$"));
            driver.get(base + "/keys/" + keyId);
            String main = driver.findElement(By.tagName("main")).getText();
            assertThat(main).contains("Requests per day by route (30 days)").contains("Client networks");
            assertThat(main).contains(HOSTILE_ROUTE).contains("<script>alert(2)</script>");
            assertThat(main).contains("203.0.113.0/24").contains("new_network");
            assertThat(driver.findElements(By.cssSelector("svg.chart rect"))).hasSizeGreaterThan(60);
            assertThat(driver.findElement(By.cssSelector("svg.chart")).getSize().getWidth())
                    .isGreaterThan(300);
            assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
            assertThat(driver.findElements(By.cssSelector("main script"))).isEmpty();
            assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            assertThat(Pattern.compile("<svg class=\"chart\"")
                            .matcher(driver.getPageSource())
                            .find())
                    .isTrue();
            ((org.openqa.selenium.JavascriptExecutor) driver)
                    .executeScript("document.querySelector('svg.chart').scrollIntoView()");
            browser.screenshot("key-usage");
        }
    }
}
