package ai.powerpost.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import ai.powerpost.gateway.demo.ReadmeDemo.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeDemoTest {

    private static final String START = """
            # Title

            ## Quick start

            ```sh
            ./mvnw -B -q -DskipTests package && java -jar demo/target/gateway-demo.jar
            ```

            ```sh
            ./mvnw -B verify
            ```

            """;

    private static String readme(String tryTheDemo) {
        return START + "### Try the demo\n\nSome text.\n\n```sh\n" + tryTheDemo
                + "```\n\n## Next\n\n```sh\ncurl -i x\n```\n";
    }

    @Test
    void readsTheStartCommandAsWords() {
        ReadmeDemo demo = ReadmeDemo.parse(readme("# 200\ncurl -i localhost:8080/a\n"));

        assertThat(demo.startCommand()).containsExactly("java", "-jar", "demo/target/gateway-demo.jar");
    }

    @Test
    void readsStatusAndAnswerFromTheCommentAndJoinsContinuedLines() {
        ReadmeDemo demo = ReadmeDemo.parse(readme("""
                KEY=pp_live_sk_x

                # 403: a draft-only key cannot publish
                #   → {"error":{"code":"INSUFFICIENT_SCOPE"}}
                curl -i -X POST -H "x-api-key: $KEY" \\
                     localhost:8080/a

                # 200 no answer given
                curl -i localhost:8081/b
                """));

        assertThat(demo.assignments()).containsExactly("KEY=pp_live_sk_x");
        assertThat(demo.examples())
                .extracting(Example::command, Example::status, Example::body)
                .containsExactly(
                        tuple(
                                "curl -i -X POST -H \"x-api-key: $KEY\" localhost:8080/a",
                                403,
                                "{\"error\":{\"code\":\"INSUFFICIENT_SCOPE\"}}"),
                        tuple("curl -i localhost:8081/b", 200, null));
    }

    @Test
    void endsTheSectionAtTheNextHeadingNotAtAShellComment() {
        ReadmeDemo demo = ReadmeDemo.parse(readme("# 200\ncurl -i localhost:8080/a\n"));

        assertThat(demo.examples()).hasSize(1);
    }

    @Test
    void refusesACurlLineWithoutItsStatus() {
        assertThatThrownBy(() -> ReadmeDemo.parse(readme("# account-level route\ncurl -i localhost:8080/a\n")))
                .hasMessageContaining("status")
                .hasMessageContaining("curl -i localhost:8080/a");
        assertThatThrownBy(() -> ReadmeDemo.parse(readme("# 200\n\ncurl -i localhost:8080/a\n")))
                .hasMessageContaining("status");
    }

    @Test
    void refusesALineItDoesNotRun() {
        assertThatThrownBy(() -> ReadmeDemo.parse(readme("# 200\ncurl -i localhost:8080/a\nwget localhost:8080/b\n")))
                .hasMessageContaining("wget localhost:8080/b");
    }

    @Test
    void refusesAStartCommandThatIsNotPackageThenJavaJar() {
        String readme = readme("# 200\ncurl -i localhost:8080/a\n")
                .replace("java -jar demo/target/gateway-demo.jar", "docker run demo");

        assertThatThrownBy(() -> ReadmeDemo.parse(readme)).hasMessageContaining("docker run demo");
    }

    @Test
    void theRepositorysReadmeParses() throws IOException {
        ReadmeDemo demo = ReadmeDemo.parse(Files.readString(Path.of("../README.md")));

        assertThat(demo.startCommand()).containsExactly("java", "-jar", "demo/target/gateway-demo.jar");
        assertThat(demo.examples())
                .extracting(Example::status)
                .containsExactly(
                        200, 401, 403, 400, 200, 200, 201, 200, 200, 200, 403, 204, 401, 200, 201, 200, 201, 409, 201,
                        202);
        assertThat(demo.examples())
                .filteredOn(example -> example.body() != null)
                .hasSize(9);
        assertThat(demo.assignments()).hasSize(7);
        assertThat(demo.examples()).allMatch(example -> example.command().startsWith("curl -i "));
        assertThat(demo.lines())
                .as("lines that paste as they are: no <placeholder>")
                .noneMatch(line -> line.matches(".*<[a-z ]+>.*"));
        assertThat(demo.lines()).filteredOn(line -> line.contains("=$(")).hasSize(4);
    }
}
