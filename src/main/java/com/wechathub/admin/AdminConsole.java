package com.wechathub.admin;

import com.wechathub.wechat.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Serves the operator console's three files from the classpath (src/main/resources/console): the
 * page, its script and its style sheet. They hold no data — the page shows only a sign-in until
 * the operator gives the admin token, and every piece of data comes from the operator API with
 * that token — so they load without one, but only while the operator API is enabled. Nothing
 * comes from elsewhere (no CDN): the console works on a closed network.
 */
@Component("adminConsole")
public class AdminConsole {

    /** The files there are, by the name in the URL, with their content types. Anything else is 404. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html;charset=UTF-8",
            "console.js", "text/javascript;charset=UTF-8",
            "console.css", "text/css;charset=UTF-8");

    private final Map<String, byte[]> contents;

    public AdminConsole() {
        this.contents = Map.of(
                "index.html", read("index.html"),
                "console.js", read("console.js"),
                "console.css", read("console.css"));
    }

    /** GET /admin/console: the page. */
    public void page(Exchange exchange) {
        serve(exchange, "index.html");
    }

    /** GET /admin/console/{file}: the script or the style sheet. */
    public void file(Exchange exchange) {
        String name = exchange.getMessage().getHeader("file", String.class);
        if (name == null || !FILES.containsKey(name)) {
            throw new Rejection(404, "admin_not_found", "not found");
        }
        serve(exchange, name);
    }

    private void serve(Exchange exchange, String name) {
        AdminAnswers.answer(exchange, 200, FILES.get(name), contents.get(name));
        // revalidate on every load, so an upgraded hub serves its own page, never a cached older one
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
    }

    private static byte[] read(String name) {
        try (InputStream in = AdminConsole.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
