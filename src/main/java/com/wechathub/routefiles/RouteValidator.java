package com.wechathub.routefiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.springframework.stereotype.Component;

/**
 * Validates a whole set of route files: YAML syntax, Camel's schema and our conventions first;
 * then every file that passed them is built by Camel in a scratch context, against the running
 * application's beans and properties. Used by {@code --validate-routes} and by the live reload.
 */
@Component
class RouteValidator {

    private final CamelContext camelContext;

    RouteValidator(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    List<RouteProblem> validate(List<RouteFile> files) {
        RouteFileChecks.Result checked = RouteFileChecks.check(files);
        List<RouteProblem> problems = new ArrayList<>(checked.problems());
        Set<String> failed = problems.stream().map(RouteProblem::file).collect(Collectors.toSet());
        List<RouteFileChecks.Parsed> buildable = checked.parsed().stream()
                .filter(parsed -> !failed.contains(parsed.file().location())).toList();
        problems.addAll(new RouteLoadCheck(camelContext).check(buildable));
        problems.sort(Comparator.comparing(RouteProblem::file).thenComparingInt(RouteProblem::line));
        return problems;
    }
}
