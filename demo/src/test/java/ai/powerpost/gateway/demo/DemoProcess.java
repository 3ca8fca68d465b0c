package ai.powerpost.gateway.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo as its own process, its output (stdout and stderr) in a temporary file. Closing it
 * sends SIGTERM and waits; then every process the demo had started (its {@code redis-server})
 * must be gone too: one still running is killed and the close fails, loudly.
 */
final class DemoProcess implements AutoCloseable {

    private static final Pattern API_PORT = Pattern.compile("(?m)^  API: +http://localhost:(\\d+)$");
    private static final Pattern MANAGEMENT_PORT =
            Pattern.compile("(?m)^  key management API: http://localhost:(\\d+)/");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final Process process;
    private final Path output;
    private final List<ProcessHandle> children = new ArrayList<>();

    /** The ports the demo printed in its banner, once it is up. */
    record Ports(int api, int management) {}

    private DemoProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static DemoProcess start(Path directory, List<String> command) throws IOException {
        Path output = Files.createTempFile("gateway-demo-", ".log");
        output.toFile().deleteOnExit(); // read after close, by the test's last checks
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        return new DemoProcess(process, output);
    }

    /** Waits for the banner (printed once the gateway is up) and notes the processes the demo started. */
    Ports awaitBanner(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String text = output();
            Matcher api = API_PORT.matcher(text);
            Matcher management = MANAGEMENT_PORT.matcher(text);
            if (api.find() && management.find()) {
                children.addAll(process.descendants().toList());
                return new Ports(Integer.parseInt(api.group(1)), Integer.parseInt(management.group(1)));
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        "the demo exited with " + process.exitValue() + " before its banner:\n" + text);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no demo banner within " + timeout + ":\n" + text);
            }
            Thread.sleep(200);
        }
    }

    List<ProcessHandle> children() {
        return List.copyOf(children);
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws Exception {
        children.addAll(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            killAll();
            throw new AssertionError("the demo did not stop within " + STOP_TIMEOUT + " of SIGTERM:\n" + output());
        }
        List<String> outlived = new ArrayList<>();
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                outlived.add(child.pid() + " " + child.info().commandLine().orElse("?"));
                child.destroyForcibly();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!outlived.isEmpty()) {
            throw new AssertionError("processes the demo started outlived it (now killed): " + outlived);
        }
    }

    private void killAll() {
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
