package com.wechathub.routefiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.HubApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The route validation an operator runs before saving (java -jar … --validate-routes): the shipped
 * routes pass, and each kind of mistake in a copy is reported with its file and line.
 */
class RouteValidationTests {

    static final Path ROUTES = Path.of("routes");

    static ConfigurableApplicationContext hub;
    static RouteValidator validator;

    @TempDir Path dir;

    @BeforeAll
    static void bootTheHubThatServesNothing() {
        hub = RouteValidation.boot(HubApplication.class, ROUTES, new String[0]);
        validator = hub.getBean(RouteValidator.class);
    }

    @AfterAll
    static void close() {
        hub.close();
    }

    @Test
    void theShippedRoutesAreValid() throws IOException {
        assertThat(validator.validate(RouteFile.readAll(ROUTES))).isEmpty();
    }

    /**
     * Checking the route files grows a few hundred MB of schema validators (Camel's schema nests
     * steps in steps); a running hub checks on every edit, and must not keep them in between.
     */
    @Test
    void aCheckKeepsNoneOfTheSchemaItValidatedWith() throws Exception {
        assertThat(validator.validate(RouteFile.readAll(ROUTES))).isEmpty();

        assertThat(liveInstances("com.networknt.schema.JsonSchema")).isZero();
    }

    /** Live instances of a class, from the JVM's class histogram (which collects garbage first). */
    static long liveInstances(String className) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "(\\s.*)?$", Pattern.MULTILINE);
        Matcher matcher = row.matcher(histogram);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /** application.yaml is checked too: a reply the hub would not understand fails the check, naming the key. */
    @Test
    void aReplyConfigurationTheHubDoesNotKnowFailsTheCommandNamingTheKey() throws IOException {
        copyRoutes();
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int exitCode;
        try {
            exitCode = RouteValidation.run(HubApplication.class, new String[] {"--validate-routes=" + dir,
                    "--wechat.accounts.demo.menu-replies[0].key=V1001_TODAY_MUSIC", "--wechat.accounts.demo.menu-replies[0].txet=typo",
                    "--wechat.accounts.demo.menu-replies[1].key=V2001_NEWS", "--wechat.accounts.demo.menu-replies[1].news.title=T"});
        } finally {
            System.setOut(stdout);
        }
        String output = printed.toString(StandardCharsets.UTF_8);

        assertThat(exitCode).isEqualTo(1);
        assertThat(output).contains("wechat.accounts.demo.menu-replies[0].txet").contains("not a setting the hub knows")
                .contains("refuses this configuration");
    }

    /** A value out of its limits (the typed properties are validated) fails the check too, naming the key. */
    @Test
    void aSettingOutOfItsLimitsFailsTheCommandNamingTheKey() throws IOException {
        copyRoutes();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exitCode = RouteValidation.run(HubApplication.class, new String[] {"--validate-routes=" + dir, "--hub.reply.max-late=0"},
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);

        assertThat(exitCode).as(output).isEqualTo(1);
        assertThat(output).contains("hub.reply.max-late: must be greater than 0").contains("refuses this configuration");
    }

    /**
     * One mistake: in which file, the text replaced, what replaces it, what the problem must say,
     * and the text on the line it must be reported at.
     */
    record Mistake(String name, String file, String original, String broken, String expected, String at) {

        Mistake(String name, String file, String original, String broken, String expected) {
            this(name, file, original, broken, expected, broken.lines().findFirst().orElseThrow().trim());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                new Mistake("bad indentation", "wechat-event-view.camel.yaml",
                        "    routeConfigurationId: wechat-dispatch-errors", "     routeConfigurationId: wechat-dispatch-errors",
                        "YAML syntax"),
                new Mistake("unknown component", "wechat-event-click.camel.yaml",
                        "uri: direct:wechat-publish", "uri: nosuchcomponent:foo", "nosuchcomponent"),
                new Mistake("undefined placeholder", "wechat-publish.camel.yaml",
                        "uri: \"{{hub.broker.uri}}\"", "uri: \"{{hub.no.such.key}}\"", "hub.no.such.key"),
                new Mistake("missing bean of a bean step", "wechat-event-location.camel.yaml",
                        "ref: followers", "ref: noSuchBean", "noSuchBean"),
                new Mistake("missing bean of a method call", "wechat-event-scan.camel.yaml",
                        "ref: crmRequests", "ref: noSuchBean", "noSuchBean"),
                new Mistake("missing #bean: reference", "wechat-push.camel.yaml",
                        "\"#bean:wechatXmlMapper\"", "\"#bean:noSuchMapper\"", "noSuchMapper"),
                new Mistake("missing bean in an endpoint option", "wechat-crm.camel.yaml",
                        "\"#crmHeaderFilter\"", "\"#noSuchFilter\"", "noSuchFilter"),
                new Mistake("missing idempotent repository", "wechat-push.camel.yaml",
                        "idempotentRepository: wechatDedupe", "idempotentRepository: noSuchRepository", "noSuchRepository"),
                new Mistake("unknown endpoint option", "wechat-event-click.camel.yaml",
                        "uri: direct:wechat-publish", "uri: direct:wechat-publish?noSuchOption=true", "noSuchOption"),
                new Mistake("file name differs from the route id", "wechat-event-unhandled.camel.yaml",
                        "id: wechat-event-unhandled\n", "id: wechat-event-other\n", "differs from the file name"),
                new Mistake("direct: name differs from the route id", "wechat-event-view.camel.yaml",
                        "uri: direct:wechat-event-view", "uri: direct:wechat-view", "its direct: name must be 'direct:wechat-event-view'"),
                new Mistake("unknown key under a step (schema)", "wechat-reply.camel.yaml",
                        "                    constant: success", "                    constant: success\n                    bogus: 1",
                        "unknown key 'bogus'", "bogus: 1"),
                new Mistake("unknown route configuration", "wechat-event-click.camel.yaml",
                        "routeConfigurationId: wechat-dispatch-errors", "routeConfigurationId: wechat-no-such-errors",
                        "wechat-no-such-errors"),
                new Mistake("a direct: endpoint nobody consumes", "wechat-event-click.camel.yaml",
                        "uri: direct:wechat-publish", "uri: direct:wechat-nowhere", "no route consumes it"),
                new Mistake("a step id used in another file too", "wechat-event-view.camel.yaml",
                        "id: view-publish", "id: click-publish", "id 'click-publish' is already used at"),
                new Mistake("two routes in one file", "wechat-event-view.camel.yaml",
                        "- route:", "- route:\n    id: another\n    from:\n      uri: direct:another\n      steps: []\n- route:",
                        "one route per file", "- route:")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void aMistakeIsReportedWithItsFileAndLine(Mistake mistake) throws IOException {
        copyRoutes();
        int line = breakFile(mistake);

        List<RouteProblem> problems = validator.validate(RouteFile.readAll(dir));

        assertThat(problems).as("problems").hasSize(1);
        RouteProblem problem = problems.get(0);
        assertThat(problem.file()).isEqualTo(dir.resolve(mistake.file()).toString());
        assertThat(problem.line()).as("line of %s", problem).isEqualTo(line);
        assertThat(problem.message()).contains(mistake.expected());
        assertThat(problem.toString()).startsWith(dir.resolve(mistake.file()) + ":" + line + ": ");
    }

    /** routes/README.md shows how to add a branch for a new event type: what it shows must pass. */
    @Test
    void theReadmeExampleOfANewEventBranchIsValid() throws IOException {
        copyRoutes();
        List<String> examples = yamlBlocks(Files.readString(ROUTES.resolve("README.md"))).stream()
                .filter(block -> block.contains("templatesendjobfinish")).toList();
        assertThat(examples).hasSize(2);
        Files.writeString(dir.resolve("wechat-event-templatesendjobfinish.camel.yaml"), examples.get(0));
        Path dispatch = dir.resolve("wechat-dispatch.camel.yaml");
        String otherwise = "                        otherwise:\n";
        assertThat(Files.readString(dispatch)).contains(otherwise);
        Files.writeString(dispatch, Files.readString(dispatch).replace(otherwise, examples.get(1) + otherwise));

        assertThat(validator.validate(RouteFile.readAll(dir))).isEmpty();
        assertThat(Files.readString(dispatch)).contains("uri: direct:wechat-event-templatesendjobfinish");
    }

    /** The ```yaml blocks of a Markdown text, with the indentation of their fence removed. */
    static List<String> yamlBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher fence = Pattern.compile("(?m)^( *)```yaml\\n(.*?)^ *```$", Pattern.DOTALL)
                .matcher(markdown);
        while (fence.find()) {
            String indent = fence.group(1);
            blocks.add(fence.group(2).lines().map(line -> line.startsWith(indent) ? line.substring(indent.length()) : line)
                    .collect(Collectors.joining("\n", "", "\n")));
        }
        return blocks;
    }

    /** However many route files the hub ships today. */
    static int shippedFiles() throws IOException {
        return RouteFile.readAll(ROUTES).size();
    }

    @Test
    void theCommandExitsZeroWhenAllAreValid() throws IOException {
        copyRoutes();

        Run run = validate();

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Checked " + shippedFiles() + " route files in " + dir + ": all valid.");
    }

    @Test
    void theCommandPrintsFileAndLineOfEachProblemAndExitsNonZero() throws IOException {
        copyRoutes();
        int clickLine = breakFile(new Mistake("", "wechat-event-click.camel.yaml", "uri: direct:wechat-publish", "uri: nosuchcomponent:foo", ""));
        int viewLine = breakFile(new Mistake("", "wechat-event-view.camel.yaml",
                "    routeConfigurationId: wechat-dispatch-errors", "     routeConfigurationId: wechat-dispatch-errors", ""));

        Run run = validate();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output().lines().toList()).containsExactly(
                dir.resolve("wechat-event-click.camel.yaml") + ":" + clickLine
                        + ": Camel cannot build it: No endpoint could be found for: nosuchcomponent://foo, please check your classpath contains the needed Camel component jar.",
                dir.resolve("wechat-event-view.camel.yaml") + ":" + viewLine + ": YAML syntax: mapping values are not allowed here",
                "Checked " + shippedFiles() + " route files in " + dir + ": 2 problem(s) in 2 file(s).");
    }

    @Test
    void aMissingFolderIsNotAValidOne() {
        Run run = validate(dir.resolve("nowhere"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("not a readable folder");
    }

    record Run(int exitCode, String output) {
    }

    Run validate() {
        return validate(dir);
    }

    /** Runs the command as main() does, capturing what it prints. */
    static Run validate(Path folder) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int exitCode = RouteValidation.run(HubApplication.class, new String[] {"--validate-routes=" + folder});
            return new Run(exitCode, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    void copyRoutes() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
    }

    /** Applies the mistake and returns the (1-based) line of its "at" text in the broken file. */
    int breakFile(Mistake mistake) throws IOException {
        Path file = dir.resolve(mistake.file());
        String text = Files.readString(file);
        assertThat(text).contains(mistake.original());
        String broken = text.replace(mistake.original(), mistake.broken());
        Files.writeString(file, broken);
        int at = broken.indexOf(mistake.at());
        return (int) broken.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
