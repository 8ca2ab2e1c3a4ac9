package com.wechathub.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A node's id (wechat_event.claimed_by and reply_claimed_by, wechat_node.id: VARCHAR(128)) comes
 * from its name, by default pid@host, and host names may have up to 253 characters.
 */
class NodeIdentityTests {

    static final String LONG_NAME = "4242@" + "rack-07.zone-b.".repeat(13);

    @Test
    void twoLongNamesThatShareTheirFirstCharactersStayApart() {
        String other = LONG_NAME.substring(0, 199) + "x";
        String a = NodeIdentity.id(LONG_NAME, UUID.randomUUID());
        String b = NodeIdentity.id(other, UUID.randomUUID());
        assertThat(a.substring(0, a.indexOf('/'))).isNotEqualTo(b.substring(0, b.indexOf('/')));
        assertThat(a).startsWith(LONG_NAME.substring(0, 55)).hasSizeLessThanOrEqualTo(NodeIdentity.MAX_LENGTH);
        assertThat(NodeIdentity.id("12@short-host", UUID.randomUUID())).startsWith("12@short-host/");
    }

    @Test
    void aLongNameFitsItsColumnsAndEachStartIsANodeOfItsOwn() {
        NodeIdentity first = new NodeIdentity(LONG_NAME);
        NodeIdentity second = new NodeIdentity(LONG_NAME);
        assertThat(first.id()).hasSizeLessThanOrEqualTo(NodeIdentity.MAX_LENGTH).isNotEqualTo(second.id());
        assertThat(NodeIdentity.MAX_LENGTH).isLessThanOrEqualTo(128);
    }

    @Test
    void withoutANameTheNodeIsTheJvmsPidAtHost() {
        String jvm = NodeIdentity.id(ManagementFactory.getRuntimeMXBean().getName(), UUID.randomUUID());
        String name = jvm.substring(0, jvm.indexOf('/') + 1);
        assertThat(new NodeIdentity(null).id()).startsWith(name);
        assertThat(new NodeIdentity(" ").id()).startsWith(name);
    }
}
