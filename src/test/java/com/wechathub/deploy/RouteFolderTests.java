package com.wechathub.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A hub that has no routes to serve pushes with does not start (a jar started from another folder
 * than the one holding routes/ used to serve 404 to every push, health UP); and a hub whose
 * routes have not started yet answers pushes 503 (WeChat retries), never 404, with readiness DOWN.
 */
class RouteFolderTests extends HubIntegrationTest {

    static final List<String> PROD_WITHOUT_SERVERS = List.of("--spring.profiles.active=prod",
            "--spring.datasource.url=jdbc:h2:mem:route-folder;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");

    @Autowired Environment environment;

    @TempDir Path folder;

    @Test
    void aHubThatFindsNoRouteFilesRefusesToStartNamingTheFolderItLookedIn() {
        String log = HubProcess.refusedStart("no-route-files", Stream.concat(PROD_WITHOUT_SERVERS.stream(),
                Stream.of("--hub.routes.dir=" + folder)).toList());

        assertThat(log).contains("No route files (*.camel.yaml) in " + folder.toAbsolutePath() + " (hub.routes.dir)")
                .doesNotContain("Tomcat started");
    }

    @Test
    void aHubWhoseRoutesDoNotServeTheCallbackUrlRefusesToStart() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                if (!file.getFileName().toString().equals("wechat-callback.camel.yaml")) {
                    Files.copy(file, folder.resolve(file.getFileName()));
                }
            }
        }
        String log = HubProcess.refusedStart("no-callback-route", Stream.concat(PROD_WITHOUT_SERVERS.stream(),
                Stream.of("--hub.routes.dir=" + folder)).toList());

        assertThat(log).contains("No route in " + folder.toAbsolutePath() + " (hub.routes.dir) serves WeChat's callback")
                .doesNotContain("Tomcat started");
    }

    /** The web server accepts pushes before Camel starts the routes: the moment is stretched by starting them by hand. */
    @Test
    void untilTheCallbackRouteHasStartedPushesAre503AndReadinessIsDown() throws Exception {
        try (ConfigurableApplicationContext hub = startSecondHub(environment, "late-routes",
                "--camel.main.auto-startup=false", "--hub.dispatch.enabled=false")) {
            PushClient pushes = new PushClient(port(hub));
            PushClient management = new PushClient(managementPort(hub));
            String push = Fixtures.push("event-subscribe", openId, createTime);

            HttpResponse<String> early = pushes.send(push);
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.headers().firstValue("Retry-After")).isPresent();
            HttpResponse<String> readiness = management.get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).contains("\"callback\":{\"status\":\"DOWN\"");
            assertThat(state.eventCount(openId)).isZero();

            hub.getBean(CamelContext.class).getRouteController().startAllRoutes();

            await().atMost(Duration.ofSeconds(10)).until(() -> management.get("/actuator/health/readiness").statusCode() == 200);
            HttpResponse<String> answered = pushes.send(push);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("Welcome!");
            assertThat(state.eventCount(openId)).isEqualTo(1);
        }
    }

    static int managementPort(ConfigurableApplicationContext hub) {
        return Integer.parseInt(hub.getEnvironment().getProperty("local.management.port"));
    }
}
