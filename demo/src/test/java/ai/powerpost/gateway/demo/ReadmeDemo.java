package ai.powerpost.gateway.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What README.md says of the demo: the command of "Quick start" that starts it, and the lines of
 * "Try the demo", each curl command with what its comment says it answers.
 *
 * <p>The parse is strict, so the README cannot say more than the test checks: in the section's
 * {@code sh} blocks every line is a comment, a variable assignment (a word, or {@code $(…)}: what a
 * command printed), a curl command or blank; every
 * curl command is preceded by a comment that starts with its status ({@code # 403: …}) and may give
 * the exact answer after {@code →}. Anything else fails the parse, naming the line.
 */
record ReadmeDemo(List<String> startCommand, List<String> assignments, List<Example> examples, List<String> lines) {

    private static final String QUICK_START = "## Quick start";
    private static final String TRY_THE_DEMO = "### Try the demo";
    private static final Pattern START = Pattern.compile("^\\./mvnw [^&]*\\bpackage && (java -jar \\S+[^&|;]*)$");
    private static final Pattern ASSIGNMENT = Pattern.compile("^[A-Z][A-Z0-9_]*=\\S+$");
    /** {@code NAME=$(…)}: keeps what a command printed, for the lines after it. */
    private static final Pattern CAPTURE = Pattern.compile("^[A-Z][A-Z0-9_]*=\\$\\(.+\\)$");

    private static final Pattern STATUS = Pattern.compile("^(\\d{3})\\b.*");
    private static final String ANSWER = "→";

    /** One curl line, ports as written, and what the README says it answers. */
    record Example(String command, int status, @Nullable String body, String comment) {}

    static ReadmeDemo parse(String readme) {
        List<String> lines = readme.lines().toList();
        List<List<String>> blocks = tryTheDemo(lines);
        return new ReadmeDemo(startCommand(lines), assignments(blocks), examples(blocks), commands(blocks));
    }

    /** The {@code java -jar …} after {@code package &&} in the first {@code sh} block of Quick start, as words. */
    private static List<String> startCommand(List<String> lines) {
        List<String> block = shBlocks(section(lines, QUICK_START)).get(0);
        if (block.size() != 1) {
            throw new IllegalStateException("README's first Quick start command must be one line, but was " + block);
        }
        Matcher matcher = START.matcher(block.get(0));
        if (!matcher.matches()) {
            throw new IllegalStateException("README's first Quick start command must be "
                    + "'./mvnw … package && java -jar <jar> …', but was: " + block.get(0));
        }
        String command = matcher.group(1).trim();
        if (command.contains("\"") || command.contains("'") || command.contains("$")) {
            throw new IllegalStateException("the demo's start command must be plain words, but was: " + command);
        }
        return List.of(command.split("\\s+"));
    }

    private static List<List<String>> tryTheDemo(List<String> lines) {
        List<List<String>> blocks = shBlocks(section(lines, TRY_THE_DEMO));
        if (blocks.isEmpty()) {
            throw new IllegalStateException("README's Try the demo has no sh block");
        }
        return blocks;
    }

    private static List<String> assignments(List<List<String>> blocks) {
        return blocks.stream()
                .flatMap(List::stream)
                .filter(line -> ASSIGNMENT.matcher(line).matches())
                .toList();
    }

    /** Every line that is not a comment or blank, in order: what a reader pastes into one shell. */
    private static List<String> commands(List<List<String>> blocks) {
        return blocks.stream()
                .flatMap(List::stream)
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
    }

    private static List<Example> examples(List<List<String>> blocks) {
        List<Example> examples = new ArrayList<>();
        for (List<String> block : blocks) {
            List<String> comment = new ArrayList<>();
            for (String line : block) {
                if (line.isBlank()) {
                    comment.clear();
                } else if (line.startsWith("#")) {
                    comment.add(line.substring(1).trim());
                } else if (line.startsWith("curl ")) {
                    examples.add(example(line, comment));
                    comment.clear();
                } else if (CAPTURE.matcher(line).matches()) {
                    comment.clear();
                } else if (!ASSIGNMENT.matcher(line).matches()) {
                    throw new IllegalStateException("README's Try the demo has a line the test does not run: " + line);
                }
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalStateException("README's Try the demo has no curl line");
        }
        return examples;
    }

    private static Example example(String command, List<String> comment) {
        Matcher status = comment.isEmpty() ? null : STATUS.matcher(comment.get(0));
        if (status == null || !status.matches()) {
            throw new IllegalStateException("README's curl line is not preceded by a comment starting with "
                    + "the status it answers: " + command);
        }
        String body = null;
        for (String line : comment) {
            int arrow = line.indexOf(ANSWER);
            if (arrow >= 0) {
                body = line.substring(arrow + ANSWER.length()).trim();
            }
        }
        return new Example(command, Integer.parseInt(status.group(1)), body, String.join(" ", comment));
    }

    /** The lines from {@code heading} to the next heading of its level or above, code blocks skipped over. */
    private static List<String> section(List<String> lines, String heading) {
        int level = heading.indexOf(' ');
        int start = lines.indexOf(heading);
        if (start < 0) {
            throw new IllegalStateException("README.md has no '" + heading + "' section");
        }
        List<String> section = new ArrayList<>();
        boolean inBlock = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (!inBlock && line.matches("#{1," + level + "} .*")) {
                break;
            }
            section.add(line);
        }
        return section;
    }

    /** The {@code sh} blocks of a section, backslash continuations joined into one line. */
    private static List<List<String>> shBlocks(List<String> section) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> block = null;
        StringBuilder continued = null;
        for (String line : section) {
            if (block == null) {
                if (line.equals("```sh")) {
                    block = new ArrayList<>();
                }
            } else if (line.startsWith("```")) {
                if (continued != null) {
                    throw new IllegalStateException("README's sh block ends inside a continued line: " + continued);
                }
                blocks.add(block);
                block = null;
            } else {
                String part = continued == null ? line : line.trim();
                boolean continues = part.endsWith("\\");
                String text = continues ? part.substring(0, part.length() - 1).stripTrailing() : part;
                continued = continued == null
                        ? new StringBuilder(text)
                        : continued.append(' ').append(text);
                if (!continues) {
                    block.add(continued.toString());
                    continued = null;
                }
            }
        }
        return blocks;
    }
}
