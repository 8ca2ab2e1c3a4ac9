package com.wechathub.follower;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.inbox.Inbox;
import com.wechathub.support.HubIntegrationTest;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * On PostgreSQL the follower upsert commits without waiting for the log flush (the event's done
 * mark, later, waits for it). That setting is the upsert's own: the pooled connection goes back
 * with synchronous commits, so the next push recorded on it is still answered only once durable.
 */
class FollowerCommitTests extends HubIntegrationTest {

    @Autowired Followers followers;

    @Test
    void theUpsertLeavesItsConnectionWithSynchronousCommits() {
        for (int i = 0; i < 20; i++) {
            assertThat(followers.subscribed(event(createTime + i))).isTrue();
            // the same thread gets the connection it just returned (HikariCP's thread-local list)
            assertThat(jdbc.queryForObject("SELECT current_setting('synchronous_commit')", String.class)).isEqualTo("on");
        }
        assertThat(state.follower(openId)).containsEntry("subscribed", true);
    }

    private Exchange event(long time) {
        Map<String, Object> row = new HashMap<>(Map.of("id", openId + time, "account", "demo", "open_id", openId,
                "event", "subscribe", "create_time", time, "fields", "{}"));
        Exchange exchange = new DefaultExchange(camelContext);
        exchange.setProperty(Inbox.ROW, row);
        return exchange;
    }
}
