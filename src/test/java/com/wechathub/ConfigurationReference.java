package com.wechathub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.comments.CommentLine;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * docs/configuration.md, rendered from the configuration metadata on the classpath — the hub's own
 * (spring-boot-configuration-processor, from the javadoc of the {@code @ConfigurationProperties}
 * records, plus META-INF/additional-spring-configuration-metadata.json) and that of Spring Boot,
 * Camel and the other starters — and from application.yaml: the values it sets, per profile, and
 * its comments, which say why.
 */
final class ConfigurationReference {

    static final Path DOC = Path.of("docs/configuration.md");
    static final Path APPLICATION_YAML = Path.of("application.yaml");
    static final String ACCOUNTS = "wechat.accounts";
    /** How the metadata names a key of one account: wechat.accounts.*.token. */
    static final String ACCOUNT_KEY = ACCOUNTS + ".*.";

    /** One key of the metadata. */
    record Property(String name, String type, String description, Object defaultValue, String deprecation) {
    }

    /** One key application.yaml sets, in one of its documents. */
    record Setting(String key, String value, String comment) {
    }

    final Map<String, Property> properties;
    final Map<String, List<String>> groups; // hub and wechat groups: name -> their properties
    /** application.yaml's documents: "" (every profile), then each on-profile, with the keys each sets. */
    final Map<String, Map<String, Setting>> documents;

    private ConfigurationReference(Map<String, Property> properties, Map<String, Map<String, Setting>> documents) {
        this.properties = properties;
        this.documents = documents;
        this.groups = new TreeMap<>(hubFirst());
    }

    static ConfigurationReference load() {
        return new ConfigurationReference(metadata(), settings(APPLICATION_YAML)).grouped();
    }

    static boolean isHubKey(String key) {
        return key.startsWith("hub.") || key.startsWith("wechat.");
    }

    // --- what the metadata says -----------------------------------------------------------------

    private static Map<String, Property> metadata() {
        ObjectMapper json = new ObjectMapper();
        Map<String, Property> properties = new TreeMap<>();
        ClassLoader loader = ConfigurationReference.class.getClassLoader();
        for (String resource : List.of("META-INF/spring-configuration-metadata.json", "META-INF/additional-spring-configuration-metadata.json")) {
            try {
                for (URL url : Collections.list(loader.getResources(resource))) {
                    try (InputStream in = url.openStream()) {
                        for (JsonNode property : json.readTree(in).path("properties")) {
                            String name = property.path("name").asText();
                            Property read = new Property(name, property.path("type").asText(null),
                                    clean(property.path("description").asText(null)), defaultValue(property.path("defaultValue")),
                                    deprecation(property.path("deprecation")));
                            properties.merge(name, read, (was, now) -> was.description() == null && now.description() != null ? now : was);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return properties;
    }

    private static Object defaultValue(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            return String.join(",", items);
        }
        String text = value.asText();
        // a collection's default, as the processor writes it: [400, 404]; application.yaml: 400,404
        return text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1).replace(", ", ",") : text;
    }

    private static String deprecation(JsonNode deprecation) {
        if (deprecation.isMissingNode()) {
            return null;
        }
        String reason = deprecation.path("reason").asText("");
        String replacement = deprecation.path("replacement").asText("");
        return ("Deprecated. " + reason + (replacement.isEmpty() ? "" : " Use `" + accountKey(replacement) + "`.")).trim();
    }

    private ConfigurationReference grouped() {
        for (String name : properties.keySet()) {
            if (isHubKey(name) && !name.equals(ACCOUNTS)) { // the map itself introduces its keys' section
                groups.computeIfAbsent(group(name), g -> new ArrayList<>()).add(name);
            }
        }
        return this;
    }

    /** The section a hub key is listed in: its prefix up to the last dot (wechat.accounts.* for an account's keys). */
    static String group(String name) {
        return name.startsWith(ACCOUNT_KEY) ? ACCOUNT_KEY.substring(0, ACCOUNT_KEY.length() - 1) : name.substring(0, name.lastIndexOf('.'));
    }

    private static java.util.Comparator<String> hubFirst() {
        return java.util.Comparator.comparing((String g) -> g.startsWith("wechat")).thenComparing(g -> g);
    }

    /**
     * The key of the metadata that describes {@code key} as application.yaml writes it: the key
     * itself; for an account's key, {@code wechat.accounts.*.<its first part>}; else the nearest
     * enclosing map ({@code logging.level} for {@code logging.level.org.apache.hc.client5}).
     */
    Optional<Property> describing(String key) {
        if (key.startsWith(ACCOUNTS + ".")) {
            String[] parts = key.split("\\.", 4);
            return parts.length < 4 ? Optional.empty() : Optional.ofNullable(properties.get(ACCOUNT_KEY + parts[3].split("\\.")[0]));
        }
        Property exact = properties.get(key);
        if (exact != null) {
            return Optional.of(exact);
        }
        if (isHubKey(key)) {
            return Optional.empty(); // the hub's own keys are each described, never through a parent
        }
        for (int dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
            Property enclosing = properties.get(key.substring(0, dot));
            if (enclosing != null) {
                return enclosing.type() != null && enclosing.type().startsWith("java.util.Map") ? Optional.of(enclosing) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    // --- what application.yaml sets ---------------------------------------------------------------

    static Map<String, Map<String, Setting>> settings(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setProcessComments(true);
        Map<String, Map<String, Setting>> documents = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Node document : new Yaml(options).composeAll(reader)) {
                Map<String, Setting> settings = new LinkedHashMap<>();
                flatten(document, "", "", settings);
                Setting profile = settings.get("spring.config.activate.on-profile");
                documents.merge(profile == null ? "" : profile.value(), settings, (a, b) -> {
                    a.putAll(b);
                    return a;
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    private static void flatten(Node node, String key, String comment, Map<String, Setting> settings) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                String name = ((ScalarNode) tuple.getKeyNode()).getValue();
                String own = comments(tuple.getKeyNode().getBlockComments()) + " " + comments(tuple.getValueNode().getInLineComments())
                        + " " + comments(tuple.getKeyNode().getInLineComments());
                flatten(tuple.getValueNode(), key.isEmpty() ? name : key + "." + name, own.trim(), settings);
            }
        } else if (node instanceof SequenceNode sequence) {
            settings.put(key, new Setting(key, "(a list of " + sequence.getValue().size() + ")", comment));
        } else if (node instanceof ScalarNode scalar) {
            settings.put(key, new Setting(key, scalar.getValue(), comment));
        }
    }

    private static String comments(List<CommentLine> lines) {
        if (lines == null) {
            return "";
        }
        return lines.stream().map(CommentLine::getValue).map(String::trim).filter(line -> !line.isEmpty())
                .collect(Collectors.joining(" "));
    }

    /** Every key application.yaml sets, in any document. */
    List<String> applicationKeys() {
        return documents.values().stream().flatMap(settings -> settings.keySet().stream()).distinct().sorted().toList();
    }

    /** What the docs say about {@code key}: its metadata's description, else application.yaml's comment on it. */
    String descriptionOf(String key) {
        String described = describing(key).map(Property::description).orElse(null);
        if (described != null && !described.isBlank()) {
            return described;
        }
        return documents.values().stream().map(settings -> settings.get(key)).filter(s -> s != null && !s.comment().isBlank())
                .map(Setting::comment).findFirst().orElse("");
    }

    // --- the page -----------------------------------------------------------------------------------

    String render() {
        StringBuilder page = new StringBuilder();
        page.append("""
                # Configuration reference

                <!-- Generated by ConfigurationDocsTests from the configuration metadata and application.yaml:
                     do not edit. After changing a property's javadoc or application.yaml, run
                     mvn test -Dtest=ConfigurationDocsTests -Dconfig.docs.write=true -->

                Every key the hub reads, as `spring-boot-configuration-processor` describes it from the
                `@ConfigurationProperties` records (an IDE completes them in `application.yaml`), then every other
                key [`application.yaml`](../application.yaml) sets. A key can be set in `application.yaml`, on the
                command line (`--hub.push.max-body=32KB`) or in the environment (`HUB_PUSH_MAX_BODY=32KB`,
                `WECHAT_ACCOUNTS_SHOP_TOKEN=…`). Durations are written `500ms`, `5s`, `10m`, `1d`; sizes `64KB`. A
                value out of its limits, or a key under `wechat.*` the hub does not know, stops the start and names
                the key; `--validate-routes` reports such a configuration without serving anything.

                *default*: the hub's own; *application.yaml*: what the shipped file sets for every profile;
                *default profile* / *prod profile*: what it sets for that profile only.

                """);
        page.append("## The hub's keys\n\n");
        for (Map.Entry<String, List<String>> group : groups.entrySet()) {
            renderGroup(page, group.getKey(), group.getValue());
        }
        page.append("""
                ## Other keys application.yaml sets

                Spring Boot's, Camel's and Actuator's own keys, as their projects describe them; *why* is the comment
                beside the key in `application.yaml`.

                | key | application.yaml | description |
                |---|---|---|
                """);
        for (String key : applicationKeys()) {
            if (isHubKey(key)) {
                continue;
            }
            String description = describing(key).map(Property::description).filter(d -> !d.isBlank()).orElse("");
            String why = comment(key);
            String text = description.isEmpty() ? cell(why) : why.isEmpty() ? cell(description) : cell(description) + " *Why:* " + cell(why);
            page.append("| `").append(key).append("` | ").append(values(key, null, false)).append(" | ").append(text).append(" |\n");
        }
        return page.toString();
    }

    private void renderGroup(StringBuilder page, String group, List<String> names) {
        boolean accounts = group.equals(ACCOUNT_KEY.substring(0, ACCOUNT_KEY.length() - 1));
        page.append("### `").append(accounts ? ACCOUNTS + ".<id>" : group).append("`\n\n");
        if (accounts) {
            Property map = properties.get(ACCOUNTS);
            page.append(cell(map.description())).append("\n\n");
        }
        page.append(accounts ? "| key | description |\n|---|---|\n" : "| key | default | description |\n|---|---|---|\n");
        for (String name : names) {
            Property property = properties.get(name);
            String description = property.description() == null ? "" : property.description();
            if (property.deprecation() != null) {
                description = property.deprecation() + " " + description;
            }
            page.append("| `").append(accountKey(name)).append("` | ");
            if (!accounts) {
                page.append(values(name, property.defaultValue(), true)).append(" | ");
            }
            page.append(cell(description)).append(" |\n");
        }
        page.append('\n');
    }

    /** The default, and what application.yaml sets where it differs. */
    private String values(String key, Object defaultValue, boolean labelled) {
        List<String> parts = new ArrayList<>();
        if (defaultValue != null) {
            parts.add(code(defaultValue.toString()));
        }
        Setting everywhere = documents.getOrDefault("", Map.of()).get(key);
        String inEffect = everywhere != null ? everywhere.value() : defaultValue != null ? defaultValue.toString() : null;
        for (Map.Entry<String, Map<String, Setting>> document : documents.entrySet()) {
            Setting setting = document.getValue().get(key);
            if (setting == null || (defaultValue != null && setting.value().equals(defaultValue.toString()))
                    || (!document.getKey().isEmpty() && setting.value().equals(inEffect))) {
                continue;
            }
            String where = document.getKey().isEmpty() ? "application.yaml" : document.getKey() + " profile";
            parts.add(!labelled && document.getKey().isEmpty() ? code(setting.value()) : "*" + where + "*: " + code(setting.value()));
        }
        return parts.isEmpty() ? "—" : String.join("; ", parts);
    }

    private String comment(String key) {
        return documents.values().stream().map(settings -> settings.get(key)).filter(s -> s != null && !s.comment().isBlank())
                .map(Setting::comment).findFirst().orElse("");
    }

    static String accountKey(String name) {
        return name.replace(ACCOUNT_KEY, ACCOUNTS + ".<id>.");
    }

    private static String code(String value) {
        return value.isEmpty() ? "`\"\"`" : "`" + value.replace("|", "\\|") + "`";
    }

    /** A table cell: Markdown, with {@code |} escaped, and outside code spans {@code *} and {@code <} too. */
    private static String cell(String text) {
        String[] spans = markdown(text).split("`", -1);
        StringBuilder cell = new StringBuilder();
        for (int i = 0; i < spans.length; i++) {
            String span = spans[i];
            if (i % 2 == 0) { // outside a code span
                span = span.replace("*", "\\*").replaceAll("<(?!!--)", "&lt;");
            }
            cell.append(i > 0 ? "`" : "").append(span.replace("|", "\\|"));
        }
        return cell.toString();
    }

    private static final Pattern CODE = Pattern.compile("\\{@(?:code|literal) ([^}]*)}");
    private static final Pattern LINK = Pattern.compile("\\{@link(?:plain)? #?([^}\\s]*)(?: ([^}]*))?}");

    /** A description as Markdown: javadoc's {@code …} as code, {@link …} as its name, one line, a capital and a full stop. */
    static String markdown(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String one = text.replaceAll("\\s+", " ").trim();
        Matcher code = CODE.matcher(one);
        one = code.replaceAll(m -> Matcher.quoteReplacement("`" + m.group(1) + "`"));
        Matcher link = LINK.matcher(one);
        one = link.replaceAll(m -> Matcher.quoteReplacement(m.group(2) != null ? m.group(2) : m.group(1)));
        one = Character.toUpperCase(one.charAt(0)) + one.substring(1);
        return one.endsWith(".") ? one : one + ".";
    }

    private static String clean(String description) {
        return description == null ? null : description.replaceAll("\\s+", " ").trim();
    }
}
