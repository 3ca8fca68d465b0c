package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A copy of the project's routes.yml with a small rate-limit class, written to a temporary file. */
final class TestRoutesFile {

    private TestRoutesFile() {}

    /**
     * routes.yml with {@code default: { requests: <requests>, per: <per> }} and the route
     * {@code calendar-entries-list} on {@code rate-limit: none}; returns the file's path.
     */
    static String withDefaultClass(int requests, String per) {
        try {
            String yaml = Files.readString(Path.of("../routes.yml"));
            Matcher defaultClass =
                    Pattern.compile("(?m)^([ \\t]+)default:[ \\t]*\\{[^}]*}").matcher(yaml);
            assertThat(defaultClass.find())
                    .as("routes.yml declares a 'default' rate-limit class")
                    .isTrue();
            yaml = defaultClass.replaceFirst("$1default: { requests: " + requests + ", per: " + per + " }");
            Matcher unlimited = Pattern.compile("(?m)^([ \\t]+)- id: calendar-entries-list$")
                    .matcher(yaml);
            assertThat(unlimited.find())
                    .as("routes.yml declares calendar-entries-list")
                    .isTrue();
            yaml = unlimited.replaceFirst("$1- id: calendar-entries-list\n$1  rate-limit: none");
            Path file = Files.createTempFile("routes-ratelimit-", ".yml");
            Files.writeString(file, yaml);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
