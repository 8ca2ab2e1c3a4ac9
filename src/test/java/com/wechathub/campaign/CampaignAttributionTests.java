package com.wechathub.campaign;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.dispatch.BrokerQueue;
import com.wechathub.support.Fixtures;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every event through a campaign's code carries the campaign's name and tags, in the CRM body and
 * the broker message (docs/wechat.md, "The menu and scene-QR campaigns"); other events carry neither.
 */
class CampaignAttributionTests extends CampaignIntegrationTest {

    @Autowired RabbitTemplate rabbit;
    BrokerQueue broker;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void listen() {
        broker = new BrokerQueue(rabbit, "api.#");
    }

    @AfterEach
    void stopListening() {
        broker.close();
    }

    void awaitDone() {
        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).stream().allMatch(r -> "done".equals(r.get("status"))));
    }

    JsonNode brokerMessage() throws Exception {
        Message message = broker.await(openId, 1).get(0);
        return json.readTree(message.getBody());
    }

    @Test
    void aFollowThroughACampaignsCodeCarriesItsNameAndTags() throws Exception {
        api.send(Fixtures.withEventKey(Fixtures.push("event-subscribe-scene", openId, createTime), "qrscene_spring_poster"));
        awaitDone();

        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/api/" + openId))
                .withRequestBody(matchingJsonPath("$.campaign", equalTo("Spring poster")))
                .withRequestBody(matchingJsonPath("$.tags[0]", equalTo("spring")))
                .withRequestBody(matchingJsonPath("$.tags[1]", equalTo("poster")))
                .withRequestBody(matchingJsonPath("$.scene", equalTo("spring_poster"))));
        JsonNode message = brokerMessage();
        assertThat(message.get("campaign").asText()).isEqualTo("Spring poster");
        assertThat(message.get("tags").toString()).isEqualTo("[\"spring\",\"poster\"]");
    }

    @Test
    void aScanOfACampaignsCodeCarriesItsNameAndTags() throws Exception {
        api.send(Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), "spring_poster"));
        awaitDone();

        crm.verify(1, postRequestedFor(urlEqualTo("/activities"))
                .withRequestBody(matchingJsonPath("$.openid", equalTo(openId)))
                .withRequestBody(matchingJsonPath("$.campaign", equalTo("Spring poster")))
                .withRequestBody(matchingJsonPath("$.tags[1]", equalTo("poster"))));
        assertThat(brokerMessage().get("campaign").asText()).isEqualTo("Spring poster");
    }

    @Test
    void aCampaignWithoutTagsPassesAnEmptyList() throws Exception {
        api.send(Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), "store_door"));
        awaitDone();

        JsonNode message = brokerMessage();
        assertThat(message.get("campaign").asText()).isEqualTo("Store door");
        assertThat(message.get("tags").isArray()).isTrue();
        assertThat(message.get("tags")).isEmpty();
    }

    @Test
    void anEventThroughNoCampaignsCodeCarriesNeither() throws Exception {
        api.send(Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), "old_poster"));
        awaitDone();

        crm.verify(1, postRequestedFor(urlEqualTo("/activities")).withRequestBody(matchingJsonPath("$.openid", equalTo(openId))));
        String body = crm.findAll(postRequestedFor(urlEqualTo("/activities"))).get(0).getBodyAsString();
        assertThat(body).doesNotContain("campaign").doesNotContain("tags");
        JsonNode message = brokerMessage();
        assertThat(message.has("campaign")).isFalse();
        assertThat(message.has("tags")).isFalse();
    }
}
