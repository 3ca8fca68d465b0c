package ai.powerpost.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a routes.yml for one test into a temporary file. */
public final class TestRoutes {

    private TestRoutes() {}

    public static String write(String yaml) {
        try {
            Path file = Files.createTempFile("routes-", ".yml");
            Files.writeString(file, yaml);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
