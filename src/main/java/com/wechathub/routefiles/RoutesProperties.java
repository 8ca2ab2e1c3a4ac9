package com.wechathub.routefiles;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the route files are and how their live reload behaves.
 *
 * @param dir    the folder of *.camel.yaml files (also what Camel loads at start-up)
 * @param reload the hub's own validated reload (Camel's development reload stays off)
 */
@ConfigurationProperties("hub.routes")
record RoutesProperties(@DefaultValue("routes") Path dir, @DefaultValue Reload reload) {

    /**
     * @param enabled      watch the folder and apply valid edits to the running routes
     * @param pollInterval how often the folder is looked at
     * @param settle       a change must stay unchanged this long before it is read as a whole
     * @param maxSwapWait  at most this long, a swap waits for exchanges in flight to finish, and a
     *                     request arriving during a swap waits for it; well inside WeChat's 5 s
     */
    record Reload(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("300ms") Duration settle,
            @DefaultValue("2s") Duration maxSwapWait) {
    }
}
