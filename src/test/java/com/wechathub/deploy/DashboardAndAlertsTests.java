package com.wechathub.deploy;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The operators' Grafana dashboard (deploy/grafana/wechat-hub.json) and Prometheus alerts
 * (deploy/prometheus/alerts.yaml) ask only for metrics the hub serves: every metric named in an
 * expression is on a real scrape of /actuator/prometheus after a few pushes. A meter renamed in
 * the code, or a typo in a panel, fails here instead of leaving an operator an empty graph or an
 * alert that can never fire.
 */
class DashboardAndAlertsTests extends HubIntegrationTest {

    static final Path DASHBOARD = Path.of("deploy/grafana/wechat-hub.json");
    static final Path ALERTS = Path.of("deploy/prometheus/alerts.yaml");

    /** The hub's own metric names as PromQL spells them (wechat_…, hub_…), with any _bucket/_count/_sum/_total. */
    static final Pattern METRIC = Pattern.compile("\\b(?:wechat|hub)_[a-zA-Z0-9_]+");

    @Test
    void everyMetricOfTheDashboardAndTheAlertsIsServed() throws IOException {
        Map<String, Set<String>> dashboard = dashboardMetrics();
        Map<String, Set<String>> alerts = alertMetrics();
        assertThat(dashboard).as("panels (and the account variable) with metrics").hasSizeGreaterThanOrEqualTo(11);
        assertThat(alerts.keySet()).as("alerts").containsExactlyInAnyOrder("WechatHubBacklogGrowing", "WechatHubDeadEvents",
                "WechatHubInboxDown", "WechatApiTokenDown", "WechatHubSlowAnswers");

        makeTheMetersExist();
        Set<String> served = scrapedNames();

        List<String> missing = new ArrayList<>();
        dashboard.forEach((panel, names) -> names.stream().filter(n -> !served.contains(n))
                .forEach(n -> missing.add(DASHBOARD + ": panel \"" + panel + "\" asks for " + n)));
        alerts.forEach((alert, names) -> names.stream().filter(n -> !served.contains(n))
                .forEach(n -> missing.add(ALERTS + ": alert " + alert + " asks for " + n)));
        assertThat(missing).as("metrics not on /actuator/prometheus").isEmpty();
    }

    @Test
    void theNameCheckSeesARenamedMetric() throws IOException {
        String renamed = Files.readString(ALERTS).replace("hub_inbox_up", "hub_inbox_is_up");
        assertThat(metricNames(renamed)).contains("hub_inbox_is_up");
        assertThat(scrapedNames()).contains("hub_inbox_up").doesNotContain("hub_inbox_is_up");
    }

    /** A push of each kind a panel counts: accepted, a WeChat retry, refused, dispatched, a failed crm: reply, a token request. */
    void makeTheMetersExist() {
        crm.stubFor(get(urlPathMatching("/replies/.*")).willReturn(serverError()));
        String click = Fixtures.push("event-click", openId, createTime);
        assertThat(client.send(click).statusCode()).isEqualTo(200);
        assertThat(client.send(click).statusCode()).as("WeChat's retry").isEqualTo(200);
        assertThat(client.post("/wechat/demo?signature=bad&timestamp=" + PushClient.now() + "&nonce=1", click).statusCode()).isEqualTo(403);
        String crmReply = Fixtures.withEventKey(Fixtures.push("event-click", openId + "c", createTime), "V2004_MY_ORDER");
        assertThat(client.send(crmReply).statusCode()).isEqualTo(200);
        String follow = Fixtures.push("event-subscribe", openId + "a", createTime);
        assertThat(ApiAccount.client(port).send(follow).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).until(() -> scrapedNames().containsAll(List.of(
                "wechat_dispatch_total", "wechat_late_replies_total", "wechat_api_token_requests_total")));
    }

    Set<String> scrapedNames() {
        var scrape = management.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Panel title → metric names of its targets; the template variables count as one "panel" each. */
    static Map<String, Set<String>> dashboardMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("__inputs").findValuesAsText("name")).contains("DS_PROMETHEUS");
        assertThat(dashboard.path("templating").path("list").findValuesAsText("name")).contains("account");
        Map<String, Set<String>> metrics = new java.util.LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
            Set<String> names = new TreeSet<>();
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNames(target.path("expr").asText()));
            }
            assertThat(names).as("metrics of panel %s", panel.path("title").asText()).isNotEmpty();
            metrics.put(panel.path("title").asText(), names);
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Set<String> names = metricNames(variable.path("definition").asText(""));
            if (!names.isEmpty()) {
                metrics.put("variable " + variable.path("name").asText(), names);
            }
        }
        return metrics;
    }

    /** Alert name → metric names of its expression; every rule has a summary and a description. */
    @SuppressWarnings("unchecked")
    static Map<String, Set<String>> alertMetrics() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(ALERTS));
        Map<String, Set<String>> metrics = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String alert = (String) rule.get("alert");
                Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
                assertThat(annotations).as("annotations of %s", alert).containsKeys("summary", "description");
                Set<String> names = metricNames(String.valueOf(rule.get("expr")));
                assertThat(names).as("metrics of alert %s", alert).isNotEmpty();
                metrics.put(alert, names);
            }
        }
        return metrics;
    }

    static Set<String> metricNames(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(expression);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
