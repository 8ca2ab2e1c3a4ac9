package com.wechathub.routefiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Camel's own JSON schema of the YAML DSL (draft-04, {@code schema/camelYamlDsl.json} in
 * camel-yaml-dsl), applied to a route file's YAML node tree. SnakeYAML nodes keep their marks,
 * so each violation is reported at the line of the offending key or value.
 */
final class RouteSchema {

    static final String LOCATION = "schema/camelYamlDsl.json";

    private final JsonSchema schema;

    private RouteSchema(JsonSchema schema) {
        this.schema = schema;
    }

    List<RouteProblem> check(RouteFile file, Node root) {
        // Camel resolves {{placeholders}} before it converts a value, so "{{hub.dispatch.enabled}}"
        // may stand where the schema wants a boolean or a number; the build check sees the real value.
        List<ValidationMessage> messages = schema.validate(toJson(root)).stream()
                .filter(m -> !("type".equals(m.getType()) && m.getInstanceNode() != null && m.getInstanceNode().isTextual()
                        && m.getInstanceNode().asText().contains("{{")))
                .toList();
        // A wrong step matches none of the alternatives of a oneOf/anyOf: report the specific
        // complaints (unknown key, wrong type) and the alternatives only when nothing else is said.
        List<ValidationMessage> specific = messages.stream()
                .filter(m -> !Set.of("oneOf", "anyOf", "not").contains(m.getType())).toList();
        Map<String, RouteProblem> problems = new LinkedHashMap<>();
        for (ValidationMessage message : specific.isEmpty() ? messages : specific) {
            int line = line(root, message);
            String text = "does not match Camel's YAML DSL schema: " + describe(message);
            problems.putIfAbsent(line + text, RouteProblem.at(file, line, text));
        }
        List<RouteProblem> sorted = new ArrayList<>(problems.values());
        sorted.sort(Comparator.comparingInt(RouteProblem::line));
        return sorted;
    }

    private static String describe(ValidationMessage message) {
        if ("additionalProperties".equals(message.getType()) && message.getProperty() != null) {
            return "unknown key '" + message.getProperty() + "' under " + readable(message.getInstanceLocation());
        }
        return message.getMessage();
    }

    private static String readable(JsonNodePath path) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(element);
            }
        }
        return out.isEmpty() ? "the top level" : "'" + out + "'";
    }

    /** The line of the node the message is about; for an unknown key, the key's own line. */
    private static int line(Node root, ValidationMessage message) {
        Node node = root;
        JsonNodePath path = message.getInstanceLocation();
        for (int i = 0; i < path.getNameCount() && node != null; i++) {
            Node next = child(node, path.getElement(i), false);
            if (next == null) {
                break;
            }
            node = next;
        }
        if (message.getProperty() != null) {
            Node key = child(node, message.getProperty(), true);
            if (key != null) {
                node = key;
            }
        }
        return node.getStartMark().getLine() + 1;
    }

    private static Node child(Node node, Object element, boolean keyNode) {
        if (node instanceof SequenceNode sequence && element instanceof Integer index) {
            return index < sequence.getValue().size() ? sequence.getValue().get(index) : null;
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(String.valueOf(element))) {
                    return keyNode ? key : tuple.getValueNode();
                }
            }
        }
        return null;
    }

    /** The node tree as JSON, scalars typed the way YAML 1.1 resolves them (so "1000" is a string, 1000 a number). */
    static JsonNode toJson(Node node) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (node instanceof MappingNode mapping) {
            ObjectNode object = json.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : String.valueOf(tuple.getKeyNode());
                object.set(key, toJson(tuple.getValueNode()));
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = json.arrayNode();
            sequence.getValue().forEach(item -> array.add(toJson(item)));
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        String value = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                return json.numberNode(new BigInteger(value.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return json.numberNode(Double.parseDouble(value.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            return json.textNode(value); // octal, sexagesimal…: the exact number does not matter to the schema
        }
        if (Tag.BOOL.equals(tag)) {
            return json.booleanNode(value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("on"));
        }
        if (Tag.NULL.equals(tag)) {
            return json.nullNode();
        }
        return json.textNode(value);
    }

    /**
     * Camel's schema (about 800 KB of JSON), read for one check of the route files and dropped
     * with it: the validators it grows while it checks nested steps take a few hundred MB, which
     * a running hub must not keep between edits (the garbage collector would scan them all the time).
     */
    static RouteSchema load() {
        try (InputStream in = RouteSchema.class.getClassLoader().getResourceAsStream(LOCATION)) {
            if (in == null) {
                throw new IllegalStateException(LOCATION + " is not on the classpath (camel-yaml-dsl)");
            }
            // Camel's schema marks options "deprecated", a keyword draft-04 does not know: an annotation only.
            JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4()).keyword(new NonValidationKeyword("deprecated")).build();
            return new RouteSchema(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, factory -> factory.metaSchema(draft4))
                    .getSchema(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
