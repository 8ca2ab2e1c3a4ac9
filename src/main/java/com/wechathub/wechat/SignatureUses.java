package com.wechathub.wechat;

/**
 * Which request each accepted signature/timestamp/nonce triple was used for. WeChat's plain
 * signature covers token, timestamp and nonce but not the body, so anyone who once saw a signed
 * callback URL could send any body with it; WeChat itself repeats a push byte for byte when it
 * retries. A triple is therefore accepted again only for the same request, for as long as its
 * timestamp can pass the window.
 */
public interface SignatureUses {

    /**
     * Records that {@code triple} (already hashed, with its account) signed the request whose
     * digest is {@code request}; false when the triple was used before for another request.
     */
    boolean firstOrSame(String triple, String request);
}
