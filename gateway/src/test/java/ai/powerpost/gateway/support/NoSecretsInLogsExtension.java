package ai.powerpost.gateway.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every JUnit Jupiter test of this module (by {@code junit-platform.properties} and
 * its service file): every log line the suite produces, at any level, the access log's and the
 * audit trail's included, is searched for anything shaped like a secret: an API key
 * ({@code pp_live_sk_…}, {@code pp_test_sk_…}), an operator token ({@code ppgw_op_…}) or a
 * SHA-256 hash in hex (how keys and tokens are stored). The test, or the test class, during which
 * one was logged fails, naming the logger and where in the line (the secret itself is shown
 * redacted). {@code NoSecretLeaksIT} checks the exact secrets of a run with every kind of traffic;
 * this checks the shape of every line of every test. {@link GatewayProcess} checks the output of
 * the packaged jar the same way when it closes.
 *
 * <p>The events come from {@link Appender}, which {@code logback-test.xml} attaches to the root,
 * {@code access} and {@code audit} loggers.
 */
public final class NoSecretsInLogsExtension implements AfterEachCallback, AfterAllCallback {

    /** API keys, operator tokens, and 64 hex digits standing alone (a SHA-256 digest). */
    static final Pattern SECRET = Pattern.compile(
            "pp_(?:live|test)_sk_[A-Za-z0-9]{16,}|ppgw_op_[A-Za-z0-9]{16,}|(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])");

    private static final ConcurrentLinkedQueue<String> FOUND = new ConcurrentLinkedQueue<>();

    @Override
    public void afterEach(ExtensionContext context) {
        failIfAny("during this test");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        failIfAny("by the end of this class (from @BeforeAll, @AfterAll or a background task)");
    }

    private static void failIfAny(String when) {
        List<String> found = new ArrayList<>();
        for (String line; (line = FOUND.poll()) != null; ) {
            found.add(line);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " log line(s) shaped like a secret (a key, a token or a hash) "
                    + when + ":\n  " + String.join("\n  ", found));
        }
    }

    /**
     * One entry per secret-shaped match in {@code text}: the line with every such match redacted to
     * its first characters (cut to 300 characters); empty if there is none.
     */
    public static List<String> secretsIn(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = SECRET.matcher(text);
        String redacted = null;
        while (m.find()) {
            if (redacted == null) {
                redacted = SECRET.matcher(text)
                        .replaceAll(r -> Matcher.quoteReplacement(r.group().substring(0, 6) + "…[redacted]"))
                        .replace('\n', ' ');
                if (redacted.length() > 300) {
                    redacted = redacted.substring(0, 300) + "…";
                }
            }
            found.add(redacted);
        }
        return found;
    }

    /** Hands every event to the check; writes nothing. */
    public static final class Appender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            String text = event.getFormattedMessage();
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                text = text + "\n" + ThrowableProxyUtil.asString(thrown);
            }
            if (text == null) {
                return;
            }
            for (String where : secretsIn(text)) {
                FOUND.add("[" + event.getLevel() + " " + event.getLoggerName() + "] " + where);
            }
        }
    }
}
