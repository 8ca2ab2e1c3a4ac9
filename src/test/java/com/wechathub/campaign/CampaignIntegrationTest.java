package com.wechathub.campaign;

import com.wechathub.support.ApiAccount;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole hub (prod profile, real servers) with campaigns and a menu on test account "api"
 * (src/test/resources/campaign-account.properties), and WeChat's QR images served by the fake
 * WeChat API. The campaign suites share this one application context.
 */
@TestPropertySource(locations = "classpath:campaign-account.properties")
abstract class CampaignIntegrationTest extends HubIntegrationTest {

    protected PushClient api;

    @DynamicPropertySource
    static void qrcodeImages(DynamicPropertyRegistry registry) {
        registry.add("wechat.api.qrcode-base-url", wechat::baseUrl);
    }

    @BeforeEach
    void apiAccount() {
        api = ApiAccount.client(port);
        jdbc.update("DELETE FROM wechat_campaign_qrcode");
    }

    @AfterEach
    void forgetCodes() {
        jdbc.update("DELETE FROM wechat_campaign_qrcode");
    }
}
