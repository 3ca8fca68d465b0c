package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.http.MediaType;

/**
 * The console in a real browser (headless Chromium) against a real gateway and Redis: sign in,
 * create a key with a preset and with ticks, its secret shown once and gone on reload, roll and
 * revoke it; a hostile key name is text; a viewer is offered no change and refused one anyway; a
 * POST without the CSRF token or from another origin changes nothing (raw HTTP); the security
 * headers and the session cookie. Every page is screenshotted into {@code target/screenshots/}
 * and checked to be non-blank.
 */
@GatewayIntegrationTest
class ConsoleBrowserIT extends GatewayTestBase {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String HOSTILE = "<img src=x onerror=alert(1)>";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private static Browser browser;
    private static String operatorToken;
    private static String viewerToken;
    private static String viewerId;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void operators() {
        if (operatorToken == null) {
            operatorToken =
                    (String) createOperator("console operator", "operator").get("token");
            Map<String, Object> viewer = createOperator("console viewer", "viewer");
            viewerToken = (String) viewer.get("token");
            viewerId = (String) viewer.get("id");
        }
        browser.driver().manage().deleteAllCookies();
    }

    private String base() {
        return "http://localhost:" + managementPort + "/console";
    }

    // ---- in the browser ------------------------------------------------------------------------

    @Test
    void anOperatorCreatesAKeyWithAPresetAndWithTicksSeesItsSecretOnceThenRollsAndRevokesIt() {
        String account = unique("acct_console");
        addWorkspace(account, unique("ws"));
        WebDriver driver = browser.driver();
        signIn(operatorToken);
        browser.screenshot("find");

        driver.findElement(By.id("account")).sendKeys(account);
        driver.findElement(By.cssSelector("form[action='/console/find'] button"))
                .click();
        awaitUrl("/console/accounts/" + account);
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("This account holds no keys");

        // a preset
        String presetSecret = create("publisher", "read_only", List.of());
        browser.screenshot("secret-once");
        driver.navigate().refresh();
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("shown once and is gone");
        assertThat(driver.getPageSource()).doesNotContain(presetSecret);
        browser.screenshot("secret-gone");

        // ticks
        driver.get(base() + "/accounts/" + account);
        String tickedSecret = create("analytics export", "custom", List.of("posts:read", "analytics:read"));
        assertThat(tickedSecret).isNotEqualTo(presetSecret);

        List<Map<String, Object>> keys = listKeys(account);
        assertThat(keys).extracting(key -> key.get("name")).containsExactly("publisher", "analytics export");
        assertThat(keys.get(0).get("scopes"))
                .asList()
                .containsExactlyInAnyOrder(
                        "account:read",
                        "content:read",
                        "images:read",
                        "videos:read",
                        "posts:read",
                        "calendar:read",
                        "analytics:read");
        assertThat(keys.get(1).get("scopes")).asList().containsExactlyInAnyOrder("posts:read", "analytics:read");
        String presetId = (String) keys.get(0).get("id");

        driver.get(base() + "/accounts/" + account);
        String table = driver.findElement(By.cssSelector("table.keys")).getText();
        assertThat(table)
                .contains("read_only")
                .contains("posts:read, analytics:read")
                .contains("never");
        browser.screenshot("account");

        // the key page: granted against used, and the usage sections
        driver.findElement(By.linkText(presetId)).click();
        awaitUrl("/console/keys/" + presetId);
        String keyPage = driver.findElement(By.tagName("main")).getText();
        assertThat(keyPage).contains("Scopes: granted and used").contains("used none of its scopes");
        assertThat(keyPage).containsAnyOf("Usage is not recorded", "Requests per day by route");
        browser.screenshot("key");

        // roll, the old key working one more hour
        driver.get(base() + "/accounts/" + account);
        WebElement rollForm = driver.findElement(
                By.cssSelector("form[action='/console/accounts/" + account + "/keys/" + presetId + "/roll']"));
        new Select(rollForm.findElement(By.name("grace"))).selectByValue("1h");
        rollForm.findElement(By.tagName("button")).click();
        awaitUrl("/secret");
        assertThat(driver.findElement(By.tagName("main")).getText())
                .contains("Rolled key")
                .contains(presetId);
        String successorSecret = driver.findElement(By.id("secret")).getText();
        assertThat(successorSecret).startsWith("pp_live_sk_").isNotEqualTo(presetSecret);
        browser.screenshot("rolled");
        Map<String, Object> rolled = listKeys(account).stream()
                .filter(key -> presetId.equals(key.get("id")))
                .findFirst()
                .orElseThrow();
        assertThat(rolled.get("rolled_to")).isNotNull();
        String successorId = (String) rolled.get("rolled_to");

        // revoke the successor, through its confirmation
        driver.get(base() + "/accounts/" + account);
        driver.findElement(
                        By.cssSelector("a[href='/console/accounts/" + account + "/keys/" + successorId + "/revoke']"))
                .click();
        awaitUrl("/keys/" + successorId + "/revoke");
        assertThat(driver.findElement(By.tagName("main")).getText())
                .contains("Revoke key")
                .contains(successorId);
        assertThat(listKeys(account)).extracting(key -> key.get("id")).contains(successorId);
        browser.screenshot("revoke-confirm");
        driver.findElement(By.cssSelector("button.danger")).click();
        awaitUrl("?done=revoked");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("The key was revoked.");
        assertThat(listKeys(account)).extracting(key -> key.get("id")).doesNotContain(successorId);
        browser.screenshot("revoked");

        // the audit trail shows the operator's changes
        driver.get(base() + "/audit?account=" + account);
        String trail = driver.findElement(By.tagName("main")).getText();
        assertThat(trail)
                .contains("key.create")
                .contains("key.roll")
                .contains("key.revoke")
                .contains("console operator");
        browser.screenshot("audit");
    }

    @Test
    void theKeyPageShowsWhatTheKeyWasUsedForFromTheRecordedUsage() throws InterruptedException {
        Tenant tenant = tenant("read_only");
        for (int i = 0; i < 3; i++) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", tenant.key().key())
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
        }
        // the usage store, not a stand-in: wait for the batched flush to write the three requests
        long deadline = System.currentTimeMillis() + 20_000;
        String usage = "";
        while (!usage.contains("\"account-credits\":3") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            usage = admin.get()
                    .uri(
                            "/admin/v1/accounts/{a}/keys/{k}/usage?days=30",
                            tenant.accountId(),
                            tenant.key().id())
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
        }
        assertThat(usage).contains("\"account-credits\":3");
        WebDriver driver = browser.driver();
        signIn(operatorToken);
        driver.get(base() + "/keys/" + tenant.key().id());
        WebElement main = driver.findElement(By.tagName("main"));
        assertThat(main.findElements(By.cssSelector("svg.chart"))).hasSize(1);
        assertThat(main.findElement(By.cssSelector("ul.legend")).getText()).contains("account-credits");
        assertThat(main.getText()).contains("127.0.0.0/24").contains("No unexpected activity found");
        assertNoAlert(driver);
        browser.screenshot("key-recorded-usage");
    }

    @Test
    void aHostileKeyNameIsShownAsTextAndRunsNothing() {
        String account = unique("acct_console");
        createKey(account, Map.of("name", HOSTILE, "preset", "read_only"));
        String keyId = (String) listKeys(account).get(0).get("id");
        WebDriver driver = browser.driver();
        signIn(operatorToken);
        driver.get(base() + "/accounts/" + account);
        assertThat(driver.findElement(By.cssSelector("table.keys")).getText()).contains(HOSTILE);
        assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
        assertNoAlert(driver);
        browser.screenshot("hostile-name");
        driver.get(base() + "/keys/" + keyId);
        assertThat(driver.findElement(By.tagName("main")).getText()).contains(HOSTILE);
        assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
        assertNoAlert(driver);
        // and the audit page shows a hostile filter as text too
        driver.get(base() + "/audit?account=" + URLEncoder.encode(HOSTILE, StandardCharsets.UTF_8));
        assertNoAlert(driver);
        assertThat(driver.findElement(By.name("account")).getAttribute("value")).isEqualTo(HOSTILE);
        browser.screenshot("hostile-filter");
    }

    @Test
    void aViewerIsOfferedNoChangeAndIsRefusedOneAnyway() throws Exception {
        String account = unique("acct_console");
        createKey(account, "read_only");
        String keyId = (String) listKeys(account).get(0).get("id");
        WebDriver driver = browser.driver();
        signIn(viewerToken);
        driver.get(base() + "/accounts/" + account);
        assertThat(driver.findElement(By.cssSelector("table.keys")).getText()).contains("read_only");
        assertThat(driver.findElements(By.cssSelector("form[action$='/keys']"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("form[action$='/roll']"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("a[href$='/revoke']"))).isEmpty();
        assertThat(driver.findElement(By.tagName("header")).getText()).contains("console viewer (viewer)");
        browser.screenshot("viewer-account");

        // the confirmation page is refused, and so is the revocation posted by hand
        driver.get(base() + "/accounts/" + account + "/keys/" + keyId + "/revoke");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("requires role operator");
        Session viewer = session(viewerToken);
        HttpResponse<String> refused =
                post(viewer, "/accounts/" + account + "/keys/" + keyId + "/revoke", Map.of("csrf", viewer.csrf), true);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("This call requires role operator");
        HttpResponse<String> create = post(
                viewer,
                "/accounts/" + account + "/keys",
                Map.of("csrf", viewer.csrf, "name", "x", "preset", "read_only"),
                true);
        assertThat(create.statusCode()).isEqualTo(403);
        assertThat(listKeys(account)).extracting(key -> key.get("id")).containsExactly(keyId);

        // audited as refused, the viewer the actor
        List<Map<String, Object>> entries = auditOf(account);
        assertThat(entries).anySatisfy(entry -> {
            assertThat(entry.get("action")).isEqualTo("key.revoke");
            assertThat(entry.get("outcome")).isEqualTo("refused");
            assertThat(entry.get("code")).isEqualTo("FORBIDDEN");
            assertThat(String.valueOf(entry.get("actor"))).contains(viewerId);
        });

        // and the JSON API refuses the viewer's token as well
        ai.powerpost.gateway.support.TestClients.to(managementPort)
                .delete()
                .uri("/admin/v1/accounts/{account}/keys/{key}", account, keyId)
                .header("Authorization", "Bearer " + viewerToken)
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .consumeWith(body -> {});
    }

    // ---- raw HTTP ------------------------------------------------------------------------------

    @Test
    void aPostWithoutTheCsrfTokenOrFromAnotherOriginChangesNothing() throws Exception {
        String account = unique("acct_console");
        Session operator = session(operatorToken);
        Map<String, String> create = Map.of("name", "forged", "preset", "full_access");

        HttpResponse<String> noToken = post(operator, "/accounts/" + account + "/keys", create, true);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.body()).contains("CSRF token");

        HttpResponse<String> wrongToken =
                post(operator, "/accounts/" + account + "/keys", with(create, "csrf", "not-the-token"), true);
        assertThat(wrongToken.statusCode()).isEqualTo(403);

        HttpResponse<String> foreignOrigin =
                send(HttpRequest.newBuilder(URI.create(base() + "/accounts/" + account + "/keys"))
                        .header("Cookie", ConsoleHandler.COOKIE + "=" + operator.cookie)
                        .header("Origin", "https://evil.example")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(with(create, "csrf", operator.csrf))))
                        .build());
        assertThat(foreignOrigin.statusCode()).isEqualTo(403);

        HttpResponse<String> crossSite =
                send(HttpRequest.newBuilder(URI.create(base() + "/accounts/" + account + "/keys"))
                        .header("Cookie", ConsoleHandler.COOKIE + "=" + operator.cookie)
                        .header("Sec-Fetch-Site", "cross-site")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(with(create, "csrf", operator.csrf))))
                        .build());
        assertThat(crossSite.statusCode()).isEqualTo(403);

        HttpResponse<String> noSession =
                send(HttpRequest.newBuilder(URI.create(base() + "/accounts/" + account + "/keys"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(with(create, "csrf", operator.csrf))))
                        .build());
        assertThat(noSession.statusCode()).isEqualTo(403);

        HttpResponse<String> signInFromElsewhere = send(HttpRequest.newBuilder(URI.create(base() + "/sign-in"))
                .header("Origin", "https://evil.example")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", operatorToken))))
                .build());
        assertThat(signInFromElsewhere.statusCode()).isEqualTo(403);
        assertThat(signInFromElsewhere.headers().allValues("Set-Cookie")).isEmpty();

        assertThat(listKeys(account)).isEmpty();
        assertThat(auditOf(account)).isEmpty();

        // the same POST with the token, from the console's origin, is made
        HttpResponse<String> made =
                post(operator, "/accounts/" + account + "/keys", with(create, "csrf", operator.csrf), true);
        assertThat(made.statusCode()).isEqualTo(303);
        assertThat(listKeys(account)).hasSize(1);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersAndTheSessionCookieIsHttpOnlyStrictAndScoped() throws Exception {
        for (String path : List.of("/sign-in", "/", "/static/console.css", "/no-such-page")) {
            HttpResponse<String> answer =
                    send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build());
            assertThat(answer.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .hasValue("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
            assertThat(answer.headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .hasValue("nosniff");
            assertThat(answer.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
            assertThat(answer.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
        }
        HttpResponse<String> signedIn = send(HttpRequest.newBuilder(URI.create(base() + "/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", operatorToken))))
                .build());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .startsWith(ConsoleHandler.COOKIE + "=")
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/console")
                .doesNotContain("Secure") // served over plain HTTP here
                .doesNotContain(operatorToken);
        // the page carries no inline script: the only script is the console's own file
        Session operator = session(operatorToken);
        HttpResponse<String> page = get(operator, "/");
        assertThat(page.body()).doesNotContain("<script>").contains("<script src=\"/console/static/console.js\"");
        assertThat(page.body()).doesNotContain(" style=\"").doesNotContain(" onclick=");

        // a wrong token signs nothing in
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(base() + "/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", "ppgw_op_wrong"))))
                .build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().allValues("Set-Cookie")).isEmpty();

        // sign-out ends the session on the server, not only in the browser
        HttpResponse<String> out = post(operator, "/sign-out", Map.of("csrf", operator.csrf), true);
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(get(operator, "/").statusCode()).isEqualTo(303);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void signIn(String token) {
        WebDriver driver = browser.driver();
        driver.get(base() + "/");
        assertThat(driver.getCurrentUrl()).endsWith("/console/sign-in");
        browser.screenshot("sign-in");
        driver.findElement(By.id("token")).sendKeys(token);
        driver.findElement(By.cssSelector("form[action='/console/sign-in'] button"))
                .click();
        awaitUrl("/console/");
        assertThat(driver.getPageSource()).doesNotContain(token);
    }

    /** Creates a key on the account page in the browser; its secret, read from the page shown once. */
    private String create(String name, String preset, List<String> ticks) {
        WebDriver driver = browser.driver();
        WebElement form = driver.findElement(By.cssSelector("form.create"));
        form.findElement(By.id("name")).sendKeys(name);
        form.findElement(By.cssSelector("input[name='preset'][value='" + preset + "']"))
                .click();
        for (String scope : ticks) {
            form.findElement(By.cssSelector("input[name='scope'][value='" + scope + "']"))
                    .click();
        }
        form.findElement(By.cssSelector("button[type='submit']")).click();
        awaitUrl("/secret");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("shown this once");
        assertThat(driver.findElements(By.cssSelector("button.copy[data-copy='secret']")))
                .hasSize(1);
        String secret = driver.findElement(By.id("secret")).getText();
        assertThat(secret).startsWith("pp_live_sk_");
        return secret;
    }

    /** Waits for the browser to land on a page whose address ends with {@code suffix} (a form's answer). */
    private static void awaitUrl(String suffix) {
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .withMessage(() -> "the page ending with " + suffix + " (at "
                        + browser.driver().getCurrentUrl() + ": "
                        + browser.driver().findElement(By.tagName("main")).getText() + ")")
                .until(ExpectedConditions.urlMatches(Pattern.quote(suffix) + "$"));
    }

    private static void assertNoAlert(WebDriver driver) {
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    private record Session(String cookie, String csrf) {}

    /** Signs in over raw HTTP: the session cookie, and the CSRF token the find page's forms carry. */
    private Session session(String token) throws Exception {
        HttpResponse<String> signedIn = send(HttpRequest.newBuilder(URI.create(base() + "/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", token))))
                .build());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(ConsoleHandler.COOKIE.length() + 1, setCookie.indexOf(';'));
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base() + "/"))
                .header("Cookie", ConsoleHandler.COOKIE + "=" + cookie)
                .GET()
                .build());
        Matcher csrf = CSRF.matcher(page.body());
        assertThat(csrf.find()).as("the page carries a CSRF token").isTrue();
        return new Session(cookie, csrf.group(1));
    }

    private HttpResponse<String> get(Session session, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Cookie", ConsoleHandler.COOKIE + "=" + session.cookie)
                .GET()
                .build());
    }

    private HttpResponse<String> post(Session session, String path, Map<String, String> fields, boolean sameOrigin)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Cookie", ConsoleHandler.COOKIE + "=" + session.cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)));
        if (sameOrigin) {
            request.header("Origin", "http://localhost:" + managementPort).header("Sec-Fetch-Site", "same-origin");
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> with(Map<String, String> fields, String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(fields);
        all.put(name, value);
        return all;
    }

    private static String form(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return body.toString();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> createOperator(String name, String role) {
        return admin.post()
                .uri("/admin/v1/operators")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "role", role))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> auditOf(String account) {
        Map<String, Object> page = admin.get()
                .uri("/admin/v1/audit?account={account}", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (List<Map<String, Object>>) page.get("data");
    }
}
