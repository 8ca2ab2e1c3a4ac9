package com.wechathub.support;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;

/** WireMock as WeChat's API: what it answers unless a test says otherwise. */
public final class FakeWechatApi {

    public static final String TOKEN = "FAKE-TOKEN-1";
    public static final String UNIONID = "oUnion-4c1d2e";
    public static final String USER_INFO = "{\"subscribe\":1,\"openid\":\"o\",\"subscribe_time\":1700000000,\"unionid\":\"" + UNIONID
            + "\",\"remark\":\"\",\"groupid\":0,\"tagid_list\":[],\"subscribe_scene\":\"ADD_SCENE_QR_CODE\",\"qr_scene\":98765,"
            + "\"qr_scene_str\":\"spring-poster\"}";

    private FakeWechatApi() {
    }

    public static void reset(WireMockServer wechat) {
        wechat.resetAll();
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token"))
                .willReturn(okJson("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":7200}")));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).willReturn(okJson(USER_INFO)));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send")).willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/typing")).willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")));
    }

    public static String error(int errcode, String errmsg) {
        return "{\"errcode\":" + errcode + ",\"errmsg\":\"" + errmsg + "\"}";
    }
}
