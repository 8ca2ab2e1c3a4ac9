package com.wechathub.routefiles;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What can be said of a set of route files without Camel: YAML syntax, Camel's YAML DSL schema,
 * and the conventions of routes/ — one route (or route configuration) per file, the file name,
 * the id and the direct: name agree, ids are unique across all files (tests and operators find
 * steps by id), every routeConfigurationId and every direct: endpoint called exists in the set.
 */
final class RouteFileChecks {

    static final Set<String> KINDS = Set.of("route", "routeConfiguration");

    /** A file that passed every check here: its kind and its definition's YAML node. */
    record Parsed(RouteFile file, String kind, MappingNode definition) {

        String id() {
            return scalar(definition, "id");
        }

        boolean isRoute() {
            return kind.equals("route");
        }

        String fromUri() {
            return child(definition, "from") instanceof MappingNode from ? scalar(from, "uri") : null;
        }

        List<String> routeConfigurationIds() {
            String ids = scalar(definition, "routeConfigurationId");
            return ids == null ? List.of() : List.of(ids.split("\\s*,\\s*"));
        }
    }

    record Result(List<RouteProblem> problems, List<Parsed> parsed) {
    }

    private RouteFileChecks() {
    }

    static Result check(List<RouteFile> files) {
        List<RouteProblem> problems = new ArrayList<>();
        List<Parsed> parsed = new ArrayList<>();
        Set<String> broken = new HashSet<>();
        RouteSchema schema = files.isEmpty() ? null : RouteSchema.load();
        for (RouteFile file : files) {
            List<RouteProblem> own = new ArrayList<>();
            Parsed one = checkOne(file, schema, own);
            problems.addAll(own);
            if (one != null && own.isEmpty()) {
                parsed.add(one);
            } else {
                broken.add(file.name());
            }
        }
        problems.addAll(checkAcrossFiles(parsed, broken));
        return new Result(problems, parsed);
    }

    /** The top-level kind of a file ("route", "routeConfiguration", …), or null when it has none. */
    static String kind(RouteFile file) {
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(file.text()));
            if (root instanceof SequenceNode items && !items.getValue().isEmpty()
                    && items.getValue().get(0) instanceof MappingNode item && !item.getValue().isEmpty()
                    && item.getValue().get(0).getKeyNode() instanceof ScalarNode key) {
                return key.getValue();
            }
        } catch (YAMLException e) {
            // not YAML: no kind
        }
        return null;
    }

    private static Parsed checkOne(RouteFile file, RouteSchema schema, List<RouteProblem> problems) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(file.text()));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            problems.add(RouteProblem.at(file, line, "YAML syntax: " + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage())
                    + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : "")));
            return null;
        } catch (YAMLException e) {
            problems.add(RouteProblem.at(file, 0, "YAML syntax: " + oneLine(e.getMessage())));
            return null;
        }
        if (root == null) {
            problems.add(RouteProblem.at(file, 1, "the file is empty; it should hold one '- route:' or '- routeConfiguration:'"));
            return null;
        }
        duplicateKeys(file, root, problems);
        problems.addAll(schema.check(file, root));
        if (!problems.isEmpty()) {
            return null;
        }
        if (!(root instanceof SequenceNode items) || items.getValue().size() != 1) {
            int count = root instanceof SequenceNode items ? items.getValue().size() : 0;
            problems.add(RouteProblem.at(file, line(root), "one route per file: found " + count + " top-level items"));
            return null;
        }
        Node item = items.getValue().get(0);
        if (!(item instanceof MappingNode mapping) || mapping.getValue().size() != 1
                || !(mapping.getValue().get(0).getKeyNode() instanceof ScalarNode kindNode) || !KINDS.contains(kindNode.getValue())) {
            problems.add(RouteProblem.at(file, line(item), "expected '- route:' or '- routeConfiguration:'"));
            return null;
        }
        if (!(mapping.getValue().get(0).getValueNode() instanceof MappingNode definition)) {
            problems.add(RouteProblem.at(file, line(item), kindNode.getValue() + " has no body"));
            return null;
        }
        Parsed parsed = new Parsed(file, kindNode.getValue(), definition);
        Node id = child(definition, "id");
        if (parsed.id() == null) {
            problems.add(RouteProblem.at(file, line(definition), kindNode.getValue() + " has no id; it must be '" + file.name() + "'"));
        } else if (!parsed.id().equals(file.name())) {
            problems.add(RouteProblem.at(file, line(id), "id '" + parsed.id() + "' differs from the file name '" + file.name() + "'"));
        }
        String fromUri = parsed.isRoute() ? parsed.fromUri() : null;
        if (fromUri != null && fromUri.startsWith("direct:")) {
            String direct = fromUri.split("\\?", 2)[0];
            if (!direct.equals("direct:" + file.name())) {
                Node uri = child((MappingNode) child(definition, "from"), "uri");
                problems.add(RouteProblem.at(file, line(uri), "consumes '" + direct + "'; its direct: name must be 'direct:" + file.name() + "'"));
            }
        }
        return parsed;
    }

    /** Broken files already have their problem; what refers to them by name is not blamed as well. */
    private static List<RouteProblem> checkAcrossFiles(List<Parsed> files, Set<String> broken) {
        List<RouteProblem> problems = new ArrayList<>();
        Set<String> configurations = new HashSet<>(broken);
        Set<String> consumers = new HashSet<>();
        broken.forEach(name -> consumers.add("direct:" + name));
        for (Parsed file : files) {
            if (file.isRoute()) {
                String from = file.fromUri();
                if (from != null) {
                    consumers.add(from.split("\\?", 2)[0]);
                }
            } else {
                configurations.add(file.id());
            }
        }
        Map<String, String> seenIds = new HashMap<>();
        for (Parsed file : files) {
            for (ScalarNode id : ids(file.definition(), new ArrayList<>())) {
                String where = file.file().location() + ":" + line(id);
                String first = seenIds.putIfAbsent(id.getValue(), where);
                if (first != null) {
                    problems.add(RouteProblem.at(file.file(), line(id), "id '" + id.getValue() + "' is already used at " + first
                            + "; ids must be unique across all route files"));
                }
            }
        }
        for (Parsed file : files) {
            if (file.isRoute() && !file.routeConfigurationIds().isEmpty()) {
                Node idsNode = child(file.definition(), "routeConfigurationId");
                for (String id : file.routeConfigurationIds()) {
                    if (!configurations.contains(id)) {
                        problems.add(RouteProblem.at(file.file(), line(idsNode), "routeConfigurationId '" + id + "': no routeConfiguration file has this id"));
                    }
                }
            }
            Map<String, Node> called = new HashMap<>();
            directCalls(file.definition(), called);
            called.forEach((uri, node) -> {
                if (!consumers.contains(uri)) {
                    problems.add(RouteProblem.at(file.file(), line(node), "calls '" + uri + "' but no route consumes it"));
                }
            });
        }
        return problems;
    }

    /** Every id: of the route and its steps, in file order. */
    private static List<ScalarNode> ids(Node node, List<ScalarNode> found) {
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(item -> ids(item, found));
        } else if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("id") && tuple.getValueNode() instanceof ScalarNode id) {
                    found.add(id);
                } else {
                    ids(tuple.getValueNode(), found);
                }
            }
        }
        return found;
    }

    /** Every direct: endpoint a step sends to (not the route's own from). */
    private static void directCalls(Node node, Map<String, Node> calls) {
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(item -> directCalls(item, calls));
        } else if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "";
                Node value = tuple.getValueNode();
                if (key.equals("from") && value instanceof MappingNode from) {
                    directCalls(child(from, "steps"), calls);
                } else if ((key.equals("uri") || key.equals("to")) && value instanceof ScalarNode uri
                        && uri.getValue().startsWith("direct:")) {
                    calls.putIfAbsent(uri.getValue().split("\\?", 2)[0], uri);
                } else {
                    directCalls(value, calls);
                }
            }
        }
    }

    private static void duplicateKeys(RouteFile file, Node node, List<RouteProblem> problems) {
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(item -> duplicateKeys(file, item, problems));
        } else if (node instanceof MappingNode mapping) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && !seen.add(key.getValue())) {
                    problems.add(RouteProblem.at(file, line(key), "duplicate key '" + key.getValue() + "'"));
                }
                duplicateKeys(file, tuple.getValueNode(), problems);
            }
        }
    }

    static Node child(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }

    static String scalar(Node node, String key) {
        return child(node, key) instanceof ScalarNode scalar ? scalar.getValue() : null;
    }

    static int line(Node node) {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
