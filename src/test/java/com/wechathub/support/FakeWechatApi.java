package com.wechathub.support;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** WireMock as WeChat's API: what it answers unless a test says otherwise. */
public final class FakeWechatApi {

    public static final String TOKEN = "FAKE-TOKEN-1";
    public static final String UNIONID = "oUnion-4c1d2e";
    public static final String USER_INFO = "{\"subscribe\":1,\"openid\":\"o\",\"subscribe_time\":1700000000,\"unionid\":\"" + UNIONID
            + "\",\"remark\":\"\",\"groupid\":0,\"tagid_list\":[],\"subscribe_scene\":\"ADD_SCENE_QR_CODE\",\"qr_scene\":98765,"
            + "\"qr_scene_str\":\"spring-poster\"}";

    /** qrcode/create's ticket: '+', '/' and '=' must reach showqrcode URL-encoded. */
    public static final String QR_TICKET = "gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRt+72WWPkov/abbI==";
    public static final String QR_URL = "http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI";
    public static final byte[] QR_PNG = png();
    /** get_current_selfmenu_info's answer: WeChat's shape, sub_button as {"list": […]}. */
    public static final String MENU_IN_WECHAT = "{\"is_menu_open\":1,\"selfmenu_info\":{\"button\":["
            + "{\"type\":\"click\",\"name\":\"Today\",\"key\":\"V1001_TODAY\"},"
            + "{\"name\":\"More\",\"sub_button\":{\"list\":[{\"type\":\"view\",\"name\":\"Site\",\"url\":\"https://example.com/\"},"
            + "{\"type\":\"click\",\"name\":\"News\",\"key\":\"K_NEWS\"}]}}]}}";

    private FakeWechatApi() {
    }

    public static void reset(WireMockServer wechat) {
        wechat.resetAll();
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token"))
                .willReturn(okJson("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":7200}")));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).willReturn(okJson(USER_INFO)));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send")).willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/typing")).willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/qrcode/create")).willReturn(okJson(
                "{\"ticket\":\"" + QR_TICKET + "\",\"expire_seconds\":604800,\"url\":\"" + QR_URL + "\"}")));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/showqrcode")).withQueryParam("ticket", equalTo(QR_TICKET))
                .willReturn(aResponse().withHeader("Content-Type", "image/jpg").withBody(QR_PNG)));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/menu/create")).willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/get_current_selfmenu_info")).willReturn(okJson(MENU_IN_WECHAT)));
    }

    private static byte[] png() {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_BINARY);
        image.setRGB(1, 1, 0xFFFFFF);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * stable_token as WeChat's normal mode can behave after a refusal: it keeps answering
     * {@code normal} (the token valid now, as WeChat sees it); only force_refresh gives {@code forced}.
     */
    public static void reissuesTheSameToken(WireMockServer wechat, String normal, String forced) {
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token"))
                .willReturn(okJson("{\"access_token\":\"" + normal + "\",\"expires_in\":7000}")));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token")).withRequestBody(matchingJsonPath("$.force_refresh", equalTo("true")))
                .atPriority(1).willReturn(okJson("{\"access_token\":\"" + forced + "\",\"expires_in\":7200}")));
    }

    /** stable_token requests with force_refresh WeChat got. */
    public static int forceRefreshCalls(WireMockServer wechat) {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token"))
                .withRequestBody(matchingJsonPath("$.force_refresh", equalTo("true")))).size();
    }

    /** WeChat answers every call of {@code api} (e.g. /cgi-bin/user/info, /cgi-bin/stable_token) with {@code errcode}. */
    public static void refuses(WireMockServer wechat, String api, int errcode, String errmsg) {
        var request = api.equals("/cgi-bin/user/info") ? get(urlPathEqualTo(api)) : post(urlPathEqualTo(api));
        wechat.stubFor(request.atPriority(1).willReturn(okJson(error(errcode, errmsg))));
    }

    public static String error(int errcode, String errmsg) {
        return "{\"errcode\":" + errcode + ",\"errmsg\":\"" + errmsg + "\"}";
    }
}
