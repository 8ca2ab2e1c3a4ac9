package com.wechathub.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.wechat.WechatEvent;
import org.junit.jupiter.api.Test;

class EventIdentityTests {

    static WechatEvent event(String from, long createTime, String msgType, String event, String eventKey, String msgId) {
        WechatEvent e = new WechatEvent();
        e.setFromUserName(from);
        e.setCreateTime(createTime);
        e.setMsgType(msgType);
        e.setEvent(event);
        e.setEventKey(eventKey);
        e.setMsgId(msgId);
        return e;
    }

    @Test
    void aRetryRepeatsEveryFieldAndGetsTheSameId() {
        assertThat(EventIdentity.eventId("demo", event("o1", 100, "event", "subscribe", null, null)))
                .isEqualTo(EventIdentity.eventId("demo", event("o1", 100, "event", "subscribe", null, null)))
                .hasSize(32);
    }

    @Test
    void distinctEventsInOneSecondGetDistinctIds() {
        String subscribe = EventIdentity.eventId("demo", event("o1", 100, "event", "subscribe", null, null));
        String location = EventIdentity.eventId("demo", event("o1", 100, "event", "LOCATION", null, null));
        String clickA = EventIdentity.eventId("demo", event("o1", 100, "event", "CLICK", "A", null));
        String clickB = EventIdentity.eventId("demo", event("o1", 100, "event", "CLICK", "B", null));
        String otherAccount = EventIdentity.eventId("shop", event("o1", 100, "event", "subscribe", null, null));
        String text1 = EventIdentity.eventId("demo", event("o1", 100, "text", null, null, "1"));
        String text2 = EventIdentity.eventId("demo", event("o1", 100, "text", null, null, "2"));
        assertThat(java.util.Set.of(subscribe, location, clickA, clickB, otherAccount, text1, text2)).hasSize(7);
    }

    @Test
    void fieldsCannotBleedIntoEachOther() {
        // "ab" + "c" must not collide with "a" + "bc": the parts are separated.
        assertThat(EventIdentity.eventId("demo", event("o1", 100, "event", "CLICK", "ab", "c")))
                .isNotEqualTo(EventIdentity.eventId("demo", event("o1", 100, "event", "CLICK", "a", "bc")));
    }
}
