package com.wechathub.inbox;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database fails the statement that records a batch's outcomes: the outcomes are written
 * anyway (the statement again, then each row alone, then with the next batch), so an event whose
 * CRM call succeeded is not run again after the lease. The fault is real: a PostgreSQL trigger
 * raises on the UPDATE that marks chosen followers' events done.
 */
class OutcomeWriteFailureTests extends HubIntegrationTest {

    static final String TRIGGER = "test_outcome_fault";
    static final String DISPATCHER = "wechat-dispatch";

    @AfterEach
    void removeFault() {
        jdbc.execute("DROP TRIGGER IF EXISTS " + TRIGGER + " ON wechat_event");
        jdbc.execute("DROP FUNCTION IF EXISTS " + TRIGGER + "()");
        jdbc.execute("DROP SEQUENCE IF EXISTS " + TRIGGER + "_count");
    }

    /** Marking done an event of a follower whose OpenID starts with {@code prefix} fails, the first {@code times} times. */
    void failDoneOf(String prefix, long times) {
        jdbc.execute("CREATE SEQUENCE IF NOT EXISTS " + TRIGGER + "_count");
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION %1$s() RETURNS trigger AS $$
                BEGIN
                  IF NEW.status = 'done' AND OLD.status = 'claimed' AND NEW.open_id LIKE '%2$s%%'
                     AND nextval('%1$s_count') <= %3$d THEN
                    RAISE EXCEPTION 'test fault: no outcome for %%', NEW.open_id;
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(TRIGGER, prefix, times));
        jdbc.execute("CREATE TRIGGER " + TRIGGER + " BEFORE UPDATE ON wechat_event FOR EACH ROW EXECUTE FUNCTION " + TRIGGER + "()");
    }

    @Test
    void aBatchWhoseDoneStatementFailsOnceIsStillDoneAndCallsTheCrmOnce() {
        failDoneOf("ohiccup", 1);
        List<String> followers = followers("ohiccup", 3);
        followers.forEach(f -> client.send(Fixtures.push("event-subscribe", f, createTime)));

        followers.forEach(this::awaitDone);
        followers.forEach(f -> crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + f))));
        assertThat(jdbc.queryForObject("SELECT last_value FROM " + TRIGGER + "_count", Long.class)).as("the fault struck").isGreaterThanOrEqualTo(1);
    }

    @Test
    void anOutcomeTheDatabaseKeepsRefusingIsKeptUntilItTakesIt() throws Exception {
        failDoneOf("orefused", Long.MAX_VALUE);
        // Recorded while the dispatcher is stopped, the events are pending, and its first poll
        // claims them as one batch.
        List<String> others = followers("oother", 3);
        String refused = followers("orefused", 1).get(0);
        camelContext.getRouteController().stopRoute(DISPATCHER);
        try {
            client.send(Fixtures.push("event-subscribe", others.get(0), createTime));
            client.send(Fixtures.push("event-subscribe", refused, createTime));
            others.subList(1, 3).forEach(f -> client.send(Fixtures.push("event-subscribe", f, createTime)));
        } finally {
            camelContext.getRouteController().startRoute(DISPATCHER);
        }

        // the rest of its batch is written row by row; the refused one stays claimed by this node
        others.forEach(this::awaitDone);
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + refused)));
        assertThat(state.events(refused).get(0)).containsEntry("status", "claimed");

        removeFault(); // the database takes it again
        awaitDone(refused);
        others.forEach(f -> crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + f))));
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + refused)));
    }

    private static List<String> followers(String prefix, int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> prefix + UUID.randomUUID().toString().replace("-", "")).toList();
    }

    private void awaitDone(String follower) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state.events(follower)).singleElement().extracting(e -> e.get("status")).isEqualTo("done"));
    }
}
