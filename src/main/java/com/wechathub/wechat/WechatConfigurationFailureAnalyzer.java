package com.wechathub.wechat;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up refused for account settings: the problems, one per line, instead of a stack trace. */
class WechatConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<WechatConfigurationCheck.Refused> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WechatConfigurationCheck.Refused cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix these keys under wechat.accounts in application.yaml (or the --key=value / environment variable that sets them);"
                        + " outside the default profile every account needs a token and AES key of its own;"
                        + " each menu reply needs exactly one of " + String.join(", ", WechatProperties.MenuReply.KINDS)
                        + ". Check with: java -jar wechat-event-hub.jar --validate-routes", cause);
    }
}
