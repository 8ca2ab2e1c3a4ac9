package com.wechathub.follower;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.database.InboxLocation;
import com.wechathub.inbox.Inbox;
import com.wechathub.support.HubIntegrationTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.DatabaseDriver;

/**
 * The follower row converges on the latest CreateTime per aspect, on the real database: the
 * first event of a follower inserts the row, a later one updates it, an earlier one changes
 * nothing and is reported stale, and two events of a new follower applied at the same moment
 * leave the later one's state.
 */
class FollowersTests extends HubIntegrationTest {

    @Autowired Followers followers;
    @Autowired InboxLocation location;

    @Test
    void theFirstEventInsertsALaterOneUpdatesAnEarlierOneIsStale() {
        assertThat(followers.subscribed(event(createTime, "subscribe"))).isTrue();
        assertThat(state.follower(openId)).containsEntry("subscribed", true);

        assertThat(followers.unsubscribed(event(createTime + 10, "unsubscribe"))).isTrue();
        assertThat(state.follower(openId)).containsEntry("subscribed", false);

        assertThat(followers.subscribed(event(createTime + 5, "subscribe"))).isFalse();
        assertThat(state.follower(openId)).containsEntry("subscribed", false);
    }

    @Test
    void eachAspectConvergesOnItsOwnLatestEvent() {
        assertThat(followers.located(location(createTime + 10, "23.1"))).isTrue();
        assertThat(followers.subscribed(event(createTime, "subscribe"))).isTrue(); // earlier, but another aspect
        assertThat(followers.located(location(createTime + 5, "40.0"))).isFalse();

        assertThat(state.follower(openId)).containsEntry("subscribed", true).containsEntry("latitude", 23.1);
    }

    @Test
    void twoEventsOfANewFollowerAtOnceLeaveTheLaterOnesState() throws Exception {
        for (int round = 0; round < 20; round++) {
            String follower = openId + "-" + round;
            CyclicBarrier start = new CyclicBarrier(2);
            var subscribe = CompletableFuture.supplyAsync(() -> {
                await(start);
                return followers.subscribed(event(follower, createTime, "subscribe"));
            });
            var unsubscribe = CompletableFuture.supplyAsync(() -> {
                await(start);
                return followers.unsubscribed(event(follower, createTime + 1, "unsubscribe"));
            });
            assertThat(unsubscribe.get()).as("round %d: the later event applies", round).isTrue();
            subscribe.get(); // either order of arrival: applied first, or stale
            assertThat(state.follower(follower)).as("round %d", round).containsEntry("subscribed", false);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM wechat_follower WHERE open_id = ?", Integer.class, follower))
                    .isEqualTo(1);
        }
    }

    @Test
    void aBatchWritesEveryFollowersStateBeforeItsEventsRunAndEachEventReadsWhetherItWasTheLatest() {
        String later = openId + "-later";
        assertThat(followers.subscribed(event(later, createTime + 100, "subscribe"))).isTrue();
        Exchange follow = event(createTime, "subscribe");
        Exchange staleUnfollow = event(later, createTime + 50, "unsubscribe");
        Exchange located = location(openId + "-located", createTime, "23.1");
        Exchange click = event(openId + "-click", createTime, "CLICK");

        followers.recordBatch(Stream.of(follow, staleUnfollow, located, click).map(FollowersTests::row).toList());

        // PostgreSQL: written by the batch, before any event's own step; MariaDB: each step writes its own
        boolean batched = location.driver() == DatabaseDriver.POSTGRESQL;
        assertThat(followerRows(openId, openId + "-located")).isEqualTo(batched ? 2 : 0);
        assertThat(state.follower(later)).containsEntry("subscribed", true);
        // the steps read the outcome: the stale unfollow is reported stale, and writes nothing either
        assertThat(followers.subscribed(follow)).isTrue();
        assertThat(followers.located(located)).isTrue();
        assertThat(state.follower(openId)).containsEntry("subscribed", true);
        assertThat(state.follower(openId + "-located")).containsEntry("latitude", 23.1);
        assertThat(followers.unsubscribed(staleUnfollow)).isFalse();
        assertThat(state.follower(later)).containsEntry("subscribed", true);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wechat_follower WHERE open_id = ?", Integer.class,
                openId + "-click")).isZero();
    }

    @Test
    void anEventOfABatchStillWritesItsOwnStateWhenTheBatchDidNot() {
        Exchange follow = event(createTime, "subscribe");
        followers.recordBatch(List.of(row(follow))); // a batch of one: written by the event's step
        assertThat(followers.subscribed(follow)).isTrue();
        assertThat(state.follower(openId)).containsEntry("subscribed", true);
    }

    private int followerRows(String... openIds) {
        return jdbc.queryForObject("SELECT count(*) FROM wechat_follower WHERE open_id IN (?, ?)", Integer.class,
                (Object[]) openIds);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Exchange exchange) {
        return exchange.getProperty(Inbox.ROW, Map.class);
    }

    private Exchange event(long time, String event) {
        return event(openId, time, event);
    }

    private Exchange location(long time, String latitude) {
        return location(openId, time, latitude);
    }

    private Exchange location(String follower, long time, String latitude) {
        Exchange exchange = event(follower, time, "LOCATION");
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(Inbox.ROW, Map.class);
        row.put("fields", "{\"Latitude\":\"" + latitude + "\",\"Longitude\":\"113.3\",\"Precision\":\"119.0\"}");
        return exchange;
    }

    private Exchange event(String follower, long time, String event) {
        Map<String, Object> row = new HashMap<>(Map.of("id", follower + time, "account", "demo", "open_id", follower,
                "event", event, "create_time", time, "fields", "{}"));
        Exchange exchange = new DefaultExchange(camelContext);
        exchange.setProperty(Inbox.ROW, row);
        return exchange;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
