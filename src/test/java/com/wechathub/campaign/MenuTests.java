package com.wechathub.campaign;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.ProdTestProperties;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The menu as code (docs/wechat.md, "The menu and scene-QR campaigns"): published with menu/create, compared with get_current_selfmenu_info. */
class MenuTests extends CampaignIntegrationTest {

    static final String CONFIGURED = "{\"button\":[{\"type\":\"click\",\"name\":\"Today\",\"key\":\"V1001_TODAY\"},"
            + "{\"name\":\"More\",\"sub_button\":[{\"type\":\"view\",\"name\":\"Site\",\"url\":\"https://example.com/\"},"
            + "{\"type\":\"click\",\"name\":\"News\",\"key\":\"K_NEWS\"}]}]}";
    final ObjectMapper json = new ObjectMapper();

    HttpResponse<String> call(String method, String path) {
        return client.operator(method, path, ProdTestProperties.ADMIN_TOKEN);
    }

    @Test
    void publishSendsTheMenuInWechatsShapeWithoutRepliesAndAnswersWhatWechatAnswered() {
        HttpResponse<String> published = call("POST", "/admin/accounts/api/menu/publish");

        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).isEqualTo("{\"errcode\":0,\"errmsg\":\"ok\"}");
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/menu/create"))
                .withQueryParam("access_token", equalTo(FakeWechatApi.TOKEN)).withRequestBody(equalToJson(CONFIGURED)));
    }

    @Test
    void wechatsRefusalOfTheMenuIs502WithItsErrcode() {
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/menu/create")).willReturn(okJson(FakeWechatApi.error(40018, "invalid button name size"))));

        HttpResponse<String> refused = call("POST", "/admin/accounts/api/menu/publish");

        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.body()).contains("40018");
    }

    @Test
    void theMenuInWechatIsComparedWithTheConfiguredOne() throws Exception {
        JsonNode same = json.readTree(call("GET", "/admin/accounts/api/menu").body());
        assertThat(same.get("configured")).isEqualTo(json.readTree(CONFIGURED));
        assertThat(same.get("inWeChat")).isEqualTo(json.readTree(CONFIGURED));
        assertThat(same.get("same").asBoolean()).isTrue();

        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/get_current_selfmenu_info")).willReturn(okJson(
                "{\"is_menu_open\":1,\"selfmenu_info\":{\"button\":[{\"type\":\"click\",\"name\":\"Old\",\"key\":\"V1001_TODAY\"}]}}")));
        JsonNode different = json.readTree(call("GET", "/admin/accounts/api/menu").body());
        assertThat(different.get("inWeChat").toString()).isEqualTo("{\"button\":[{\"type\":\"click\",\"name\":\"Old\",\"key\":\"V1001_TODAY\"}]}");
        assertThat(different.get("same").asBoolean()).isFalse();
    }

    @Test
    void anUnknownAccountIs404AndTheCallsNeedTheToken() {
        assertThat(call("GET", "/admin/accounts/nobody/menu").statusCode()).isEqualTo(404);
        assertThat(call("POST", "/admin/accounts/nobody/menu/publish").statusCode()).isEqualTo(404);
        assertThat(client.operator("POST", "/admin/accounts/api/menu/publish", "wrong").statusCode()).isEqualTo(401);
        wechat.verify(0, postRequestedFor(urlPathEqualTo("/cgi-bin/menu/create")));
    }
}
