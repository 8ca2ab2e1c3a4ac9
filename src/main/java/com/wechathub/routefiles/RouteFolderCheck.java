package com.wechathub.routefiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Refuses to start a hub that would serve no push: no route files where it looks (a jar started
 * from another folder than the one holding routes/), or none of them serving WeChat's callback
 * URL. Such a hub would answer 404 to every push while its health said UP. Runs while the beans
 * are created, before the web server accepts a connection; the one line names the folder as an
 * absolute path.
 */
final class RouteFolderCheck {

    /** The path of WeChat's callback URL, which the shipped routes/wechat-callback.camel.yaml serves. */
    static final String CALLBACK_PATH = "/wechat/{account}";

    private RouteFolderCheck() {
    }

    static void require(Path dir) {
        problem(dir).ifPresent(problem -> {
            throw new RoutesMissing(problem);
        });
    }

    static Optional<String> problem(Path dir) {
        Path folder = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            return Optional.of("No routes folder at " + folder + " (hub.routes.dir): the hub would answer 404 to every push");
        }
        List<RouteFile> files;
        try {
            files = RouteFile.readAll(folder);
        } catch (IOException e) {
            return Optional.of("Cannot read the routes folder " + folder + " (hub.routes.dir): " + e);
        }
        if (files.isEmpty()) {
            return Optional.of("No route files (*" + RouteFile.SUFFIX + ") in " + folder
                    + " (hub.routes.dir): the hub would answer 404 to every push");
        }
        boolean callback = RouteFileChecks.check(files).parsed().stream()
                .filter(RouteFileChecks.Parsed::isRoute)
                .map(RouteFileChecks.Parsed::fromUri)
                .anyMatch(uri -> uri != null && uri.split("\\?", 2)[0].equals("platform-http:" + CALLBACK_PATH));
        if (!callback) {
            return Optional.of("No route in " + folder + " (hub.routes.dir) serves WeChat's callback (from: platform-http:"
                    + CALLBACK_PATH + "), or its file is not valid: the hub would answer 404 to every push");
        }
        return Optional.empty();
    }

    /** The hub has nothing to serve pushes with: the message is the one line an operator needs. */
    static final class RoutesMissing extends IllegalStateException {

        RoutesMissing(String message) {
            super(message, null);
        }
    }
}
