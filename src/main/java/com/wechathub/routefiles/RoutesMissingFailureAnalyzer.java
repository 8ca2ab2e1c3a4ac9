package com.wechathub.routefiles;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up refused for want of routes: the one line that says where the hub looked, instead of a stack trace. */
class RoutesMissingFailureAnalyzer extends AbstractFailureAnalyzer<RouteFolderCheck.RoutesMissing> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RouteFolderCheck.RoutesMissing cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Start the hub from the folder that holds application.yaml and routes/, or set hub.routes.dir"
                        + " (--hub.routes.dir=/path/to/routes); check the files with: java -jar wechat-event-hub.jar --validate-routes=/path/to/routes",
                cause);
    }
}
