package com.wechathub.wechat;

import com.fasterxml.jackson.dataformat.xml.XmlMapper;

/** The hub's hardened XML mapper, for tests elsewhere that check a reply is well-formed. */
public final class WechatXmlTestAccess {

    private WechatXmlTestAccess() {
    }

    public static XmlMapper mapper() {
        return WechatXml.mapper();
    }
}
