package com.wechathub.wechat.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the cluster keeps each account's access token (SPEC §10.1), and the lock that lets only
 * one node at a time ask WeChat for one. {@code hub.token.store=redis} (prod) shares both across
 * nodes; {@code memory} (the default profile) keeps them in this process.
 */
interface TokenStore {

    Optional<String> get(String account);

    /** How long the kept token has left, if there is one. */
    Optional<Duration> remaining(String account);

    void put(String account, String token, Duration ttl);

    /** Drops the kept token only if it is still {@code token}: another node may have stored a newer one. */
    boolean deleteIfEquals(String account, String token);

    /** Takes the account's token-request lock for {@code owner}, if nobody holds it; it expires after {@code ttl}. */
    boolean tryLock(String account, String owner, Duration ttl);

    /** Releases the lock if {@code owner} still holds it. */
    void unlock(String account, String owner);
}
