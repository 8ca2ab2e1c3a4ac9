package com.wechathub.routefiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import com.wechathub.wechat.WechatConfigurationCheck;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * {@code java -jar wechat-event-hub.jar --validate-routes[=DIR]}: checks every *.camel.yaml in DIR
 * (default ./routes) — YAML syntax, Camel's schema, our conventions, and that Camel can build each
 * route: endpoints resolvable, {{placeholders}} defined, beans present — and prints one line per
 * problem, {@code FILE:LINE: message}. Exit status 0 when all are valid, 1 when not, 2 when the
 * check itself could not run.
 *
 * <p>To check against the real beans and properties (application.yaml, profiles, any
 * {@code --key=value} given), it boots the hub itself, but one that serves nothing: no web server,
 * a private in-memory database, no routes loaded — the files are built in a scratch Camel context
 * that is never started — and no reload watcher.
 */
public final class RouteValidation {

    static final String OPTION = "--validate-routes";

    private RouteValidation() {
    }

    public static boolean requested(String[] args) {
        for (String arg : args) {
            if (arg.equals(OPTION) || arg.startsWith(OPTION + "=")) {
                return true;
            }
        }
        return false;
    }

    /** Checks the route files against the hub that {@code application} (the hub's main class) starts. */
    public static int run(Class<?> application, String[] args) {
        return run(application, args, System.out);
    }

    static int run(Class<?> application, String[] args, PrintStream out) {
        Path dir = dir(args);
        List<RouteFile> files;
        try {
            files = Files.isDirectory(dir) ? RouteFile.readAll(dir) : null;
        } catch (IOException e) {
            files = null;
        }
        if (files == null) {
            out.println(dir + ": not a readable folder");
            return 2;
        }
        if (files.isEmpty()) {
            out.println(dir + ": no *" + RouteFile.SUFFIX + " files");
            return 1;
        }
        List<RouteProblem> problems;
        try (ConfigurableApplicationContext hub = boot(application, dir, args)) {
            problems = hub.getBean(RouteValidator.class).validate(files);
        } catch (RuntimeException e) {
            List<String> configuration = configurationProblems(e);
            if (!configuration.isEmpty()) { // application.yaml (or a --key=value) is wrong, not the check
                configuration.forEach(out::println);
                out.println("The hub refuses this configuration (" + configuration.size() + " problem(s)); the routes were not checked.");
                return 1;
            }
            out.println("Could not start the hub to check the routes against: " + rootMessage(e));
            return 2;
        }
        problems.forEach(out::println);
        long badFiles = problems.stream().map(RouteProblem::file).distinct().count();
        out.println(problems.isEmpty()
                ? "Checked " + files.size() + " route files in " + dir + ": all valid."
                : "Checked " + files.size() + " route files in " + dir + ": " + problems.size() + " problem(s) in " + badFiles + " file(s).");
        return problems.isEmpty() ? 0 : 1;
    }

    static Path dir(String[] args) {
        for (String arg : args) {
            if (arg.startsWith(OPTION + "=") && arg.length() > OPTION.length() + 1) {
                return Path.of(arg.substring(OPTION.length() + 1));
            }
        }
        return Path.of("routes");
    }

    /** The hub, with the caller's arguments (profiles, --key=value), serving nothing. */
    static ConfigurableApplicationContext boot(Class<?> application, Path dir, String[] args) {
        Map<String, String> serveNothing = new LinkedHashMap<>();
        serveNothing.put("spring.main.web-application-type", "none");
        serveNothing.put("spring.datasource.url", "jdbc:h2:mem:route-validation-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        serveNothing.put("camel.main.routes-collector-enabled", "false");
        serveNothing.put("camel.main.routes-reload-enabled", "false");
        serveNothing.put("hub.routes.dir", dir.toString());
        serveNothing.put("hub.routes.reload.enabled", "false");
        serveNothing.put("hub.dispatch.enabled", "false");
        Map<String, String> quiet = new LinkedHashMap<>();
        quiet.put("logging.level.root", "WARN");
        quiet.put("spring.main.banner-mode", "off");
        quiet.put("spring.main.log-startup-info", "false");

        List<String> hubArgs = new ArrayList<>();
        for (String arg : args) {
            String key = arg.startsWith("--") ? arg.substring(2).split("=", 2)[0] : "";
            if (!arg.startsWith(OPTION) && !serveNothing.containsKey(key)) {
                hubArgs.add(arg);
                quiet.remove(key); // the caller's own logging level wins
            }
        }
        serveNothing.forEach((key, value) -> hubArgs.add("--" + key + "=" + value));
        quiet.forEach((key, value) -> hubArgs.add("--" + key + "=" + value));
        return new SpringApplication(application).run(hubArgs.toArray(String[]::new));
    }

    /**
     * A configuration the hub refuses to start with, one line per problem: keys it does not know
     * under a prefix it owns (wechat.*), with where they were set, and values it cannot use, such
     * as a menu reply that is not exactly one kind or a number out of its limits.
     */
    static List<String> configurationProblems(Throwable e) {
        List<String> problems = new ArrayList<>();
        for (Throwable t = e; t != null && problems.isEmpty(); t = t.getCause()) {
            if (t instanceof UnboundConfigurationPropertiesException unbound) {
                unbound.getUnboundProperties().forEach(property -> problems.add(
                        (property.getOrigin() != null ? property.getOrigin() + ": " : "") + property.getName()
                                + ": not a setting the hub knows (misspelt, or in the wrong place?)"));
            } else if (t instanceof WechatConfigurationCheck.Refused refused) {
                problems.addAll(refused.problems());
            } else if (t instanceof BindException bind && bind.getCause() instanceof BindValidationException invalid) {
                ValidationErrors errors = invalid.getValidationErrors();
                for (ObjectError error : errors.getAllErrors()) { // a value out of its limits: hub.reply.max-late: must be greater than 0
                    Origin origin = Origin.from(error);
                    problems.add((error instanceof FieldError field ? errors.getName() + "." + DataObjectPropertyName.toDashedForm(field.getField())
                            : errors.getName()) + ": " + error.getDefaultMessage() + (origin != null ? " (" + origin + ")" : ""));
                }
            } else if (t instanceof BindException bind && bind.getCause() != null
                    && !(bind.getCause() instanceof UnboundConfigurationPropertiesException)
                    && !(bind.getCause() instanceof BindException)) {
                problems.add(bind.getProperty() != null
                        ? bind.getProperty().getName() + ": " + rootMessage(bind) + (bind.getProperty().getOrigin() != null ? " (" + bind.getProperty().getOrigin() + ")" : "")
                        : bind.getMessage() + ": " + rootMessage(bind));
            }
        }
        return problems;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
