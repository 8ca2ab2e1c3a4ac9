package com.wechathub.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import org.junit.jupiter.api.Test;

/** Passive replies through a campaign's code (docs/wechat.md, "The menu and scene-QR campaigns"): its welcome on a follow, its scan reply on a scan. */
class CampaignRepliesTests extends CampaignIntegrationTest {

    String subscribe(String eventKey) {
        return Fixtures.withEventKey(Fixtures.push("event-subscribe-scene", openId, createTime), eventKey);
    }

    String scan(String scene) {
        return Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), scene);
    }

    @Test
    void aFollowThroughACampaignsCodeGetsItsWelcomeText() {
        assertThat(api.send(subscribe("qrscene_spring_poster")).body())
                .contains("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[Welcome! Show this message in store for 10 % off.]]></Content>");
    }

    @Test
    void aCampaignsWelcomeMayBeNewsAndIsEncryptedInSafeMode() {
        String reply = api.decrypt(api.sendEncrypted(subscribe("qrscene_store_door")).body());
        assertThat(reply).contains("<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item>"
                + "<Title><![CDATA[Our store]]></Title><Description><![CDATA[Opening hours and directions]]></Description>"
                + "<PicUrl><![CDATA[https://example.com/store.jpg]]></PicUrl><Url><![CDATA[https://example.com/store]]></Url>");
    }

    @Test
    void aScanOfACampaignsCodeGetsItsScanReply() {
        assertThat(api.send(scan("spring_poster")).body()).contains("<Content><![CDATA[Welcome back.]]></Content>");
    }

    @Test
    void aCampaignWithoutAScanReplyAnswersSuccess() {
        assertThat(api.send(scan("store_door")).body()).isEqualTo("success");
    }

    @Test
    void aFollowThroughAnotherCodeGetsTheAccountsWelcome() {
        assertThat(api.send(subscribe("qrscene_no_such_campaign")).body()).contains("<Title><![CDATA[Welcome aboard]]></Title>");
    }

    @Test
    void sceneRepliesStillAnswer() {
        assertThat(api.send(subscribe("qrscene_old_poster")).body()).contains("<Content><![CDATA[Welcome from the old poster.]]></Content>");
        openId = openId + "x";
        assertThat(api.send(scan("old_poster")).body()).contains("<Content><![CDATA[The old poster again.]]></Content>");
    }

    @Test
    void aClickOnAMenuButtonGetsTheReplyWrittenOnIt() {
        String click = Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "V1001_TODAY");
        assertThat(api.send(click).body()).contains("<Content><![CDATA[Today's pick]]></Content>");
    }
}
