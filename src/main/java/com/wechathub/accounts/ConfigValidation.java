package com.wechathub.accounts;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code java -jar wechat-event-hub.jar --validate-config}: checks the account settings of
 * {@code application.yaml} (and any other configuration file, profile or {@code --key=value} given,
 * as the hub would read them) without starting the hub: the same checks as at start-up and as a
 * live edit. Prints one line per problem naming the key and FILE:LINE; exit status 0 when valid,
 * 1 when not, 2 when the files could not be read.
 */
public final class ConfigValidation {

    static final String OPTION = "--validate-config";

    private ConfigValidation() {
    }

    public static boolean requested(String[] args) {
        return Arrays.asList(args).contains(OPTION);
    }

    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        String[] settings = Arrays.stream(args).filter(arg -> !arg.equals(OPTION)).toArray(String[]::new);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(settings));
        AccountsCandidate candidate;
        try {
            ConfigDataEnvironmentPostProcessor.applyTo(environment);
            candidate = AccountsCandidate.of(environment.getPropertySources(), environment);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            out.println("The configuration does not parse: " + e.getMessage() + (cause == e ? "" : ": " + cause.getMessage()));
            return 1;
        }
        List<String> files = new ConfigFiles(environment).files().stream().map(Object::toString).toList();
        if (files.isEmpty()) {
            out.println("No configuration file found: looked for application.yaml in "
                    + java.nio.file.Path.of("").toAbsolutePath() + " and its config/ folder (run from the folder that holds it,"
                    + " or give --spring.config.location=FILE)");
        }
        if (!candidate.valid()) {
            candidate.problems().forEach(out::println);
            out.println("The configuration is not valid (" + candidate.problems().size() + " problem(s)) in " + files + ".");
            return 1;
        }
        out.println("The configuration is valid: " + candidate.properties().accounts().size() + " account(s) "
                + candidate.properties().accounts().keySet() + " in " + files + ".");
        return 0;
    }
}
