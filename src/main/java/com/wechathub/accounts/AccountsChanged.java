package com.wechathub.accounts;

import com.wechathub.wechat.WechatProperties.Account;
import java.util.Map;

/**
 * Published after a live edit of the accounts was applied: what each changed account was before
 * (absent for an added one) and is now (absent for a removed one). Whatever keeps state per account
 * (kept access tokens, …) listens for it.
 */
public record AccountsChanged(Map<String, Account> before, Map<String, Account> after) {

    /** True when the account's WeChat API credentials (app-id or app-secret) are not what they were. */
    public boolean credentialsChanged(String id) {
        Account was = before.get(id);
        Account is = after.get(id);
        if (was == null || is == null) {
            return true;
        }
        return !java.util.Objects.equals(was.appId(), is.appId()) || !java.util.Objects.equals(was.appSecret(), is.appSecret());
    }
}
