package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.wechathub.support.Fixtures;
import org.junit.jupiter.api.Test;

/** The parser itself refuses entities and deep nesting, even without the route's DOCTYPE guard. */
class WechatXmlTests {

    final XmlMapper mapper = WechatXml.mapper();

    @Test
    void parsesEverySeedShapeIntoTheTypedEvent() throws Exception {
        WechatEvent location = mapper.readValue(Fixtures.read("event-location"), WechatEvent.class);
        assertThat(location.getEvent()).isEqualTo("LOCATION");
        assertThat(location.getLatitude()).isEqualTo(23.137466);
        assertThat(location.getCreateTime()).isEqualTo(1764201600L);

        WechatEvent scene = mapper.readValue(Fixtures.read("event-subscribe-scene"), WechatEvent.class);
        assertThat(scene.getScene()).isEqualTo("123123");
        assertThat(scene.getTicket()).startsWith("gQH47joAAAAA");
        assertThat(mapper.readValue(Fixtures.read("event-scan"), WechatEvent.class).getScene()).isEqualTo("123123");
        assertThat(mapper.readValue(Fixtures.read("event-subscribe"), WechatEvent.class).getScene()).isNull();
    }

    @Test
    void keepsFieldsItDoesNotName() throws Exception {
        WechatEvent image = mapper.readValue("<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
                + "<MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl><MediaId>m1</MediaId></xml>", WechatEvent.class);
        assertThat(image.other()).containsEntry("PicUrl", "http://x/y.jpg").containsEntry("MediaId", "m1");
        assertThat(image.isEvent()).isFalse();
    }

    @Test
    void refusesExternalEntities() {
        String xxe = "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><FromUserName>&xxe;</FromUserName></xml>";
        assertThatThrownBy(() -> mapper.readValue(xxe, WechatEvent.class)).isInstanceOf(JacksonException.class);
    }

    @Test
    void refusesEntityExpansion() {
        String laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;\">]>"
                + "<xml><FromUserName>&lol2;</FromUserName></xml>";
        assertThatThrownBy(() -> mapper.readValue(laughs, WechatEvent.class)).isInstanceOf(JacksonException.class);
    }

    @Test
    void refusesDeepNesting() {
        String deep = "<xml>" + "<a>".repeat(WechatXml.MAX_DEPTH + 1) + "</a>".repeat(WechatXml.MAX_DEPTH + 1) + "</xml>";
        assertThatThrownBy(() -> mapper.readValue(deep, WechatEvent.class)).isInstanceOf(JacksonException.class);
    }
}
