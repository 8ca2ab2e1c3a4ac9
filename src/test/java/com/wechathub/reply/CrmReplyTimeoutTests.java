package com.wechathub.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.HubIntegrationTest;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A {@code crm:} reply's request gives up when its reply could no longer be sent: its HTTP timeout
 * is hub.reply.max-wait itself (routes/wechat-crm-reply.camel.yaml reads it in milliseconds), not
 * a second setting that has to be kept in step with it.
 */
class CrmReplyTimeoutTests extends HubIntegrationTest {

    @Autowired Environment environment;

    @Test
    void aCrmReplyRequestTimesOutWithTheReplysWindow() {
        try (ConfigurableApplicationContext hub = startSecondHub(environment, "short-window-hub",
                "--hub.reply.max-wait=20s", "--hub.dispatch.enabled=false")) {
            List<HttpEndpoint> replyCalls = hub.getBean(CamelContext.class).getEndpoints().stream()
                    .filter(HttpEndpoint.class::isInstance).map(HttpEndpoint.class::cast)
                    .filter(endpoint -> endpoint.getEndpointUri().contains("crmReplyCalls")).toList();
            assertThat(replyCalls).as("the endpoint of route wechat-crm-reply").hasSize(1);
            assertThat(replyCalls.get(0).getResponseTimeout()).isEqualTo(20_000L);
        }
    }
}
