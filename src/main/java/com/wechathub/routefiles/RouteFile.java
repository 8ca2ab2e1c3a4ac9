package com.wechathub.routefiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A route file's name and text as read at one moment. Validation and the live reload both work
 * on these snapshots, never on the disk again, so what was validated is exactly what is applied.
 *
 * @param location the file as an operator names it, e.g. {@code routes/wechat-reply.camel.yaml}
 */
record RouteFile(String location, String text) {

    static final String SUFFIX = ".camel.yaml";

    static RouteFile of(Path dir, String fileName, String text) {
        return new RouteFile(dir.resolve(fileName).toString(), text);
    }

    /** Every *.camel.yaml file directly in the folder, by name. */
    static List<RouteFile> readAll(Path dir) throws IOException {
        List<RouteFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : paths.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted().toList()) {
                files.add(of(dir, path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8)));
            }
        }
        return files;
    }

    String fileName() {
        return Path.of(location).getFileName().toString();
    }

    /** The name the route id and its direct: endpoint must agree with. */
    String name() {
        return nameOf(fileName());
    }

    static String nameOf(String fileName) {
        return fileName.endsWith(SUFFIX) ? fileName.substring(0, fileName.length() - SUFFIX.length()) : fileName;
    }

    /** The location Camel records as the route's source, as when it loads the folder at start-up. */
    String camelLocation() {
        return "file:" + location;
    }
}
