package com.wechathub.wechat;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import javax.xml.stream.XMLInputFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The XML mapper the routes parse pushes with ({@code xmlMapper: "#bean:wechatXmlMapper"}).
 * Hardened beyond Jackson's defaults: no DTD processing at all, no external entities, and a
 * shallow depth limit (a WeChat push is two levels deep), so neither XXE, billion laughs nor
 * deep-nesting bombs get anywhere.
 */
@Configuration(proxyBeanMethods = false)
class WechatXml {

    static final int MAX_DEPTH = 16;

    // Not a default candidate: an XmlMapper is an ObjectMapper, and as a plain bean it would
    // displace Boot's JSON ObjectMapper everywhere. The routes look it up by name.
    @Bean(defaultCandidate = false)
    XmlMapper wechatXmlMapper() {
        return mapper();
    }

    static XmlMapper mapper() {
        XMLInputFactory input = new WstxInputFactory();
        input.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        input.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        input.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, true); // so an undeclared one is an error
        input.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, MAX_DEPTH);
        XmlMapper mapper = new XmlMapper(new XmlFactory(input));
        // WeChat adds fields over time (MsgDataId, Idx, …); unknown ones land in WechatEvent.other.
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        // Read to the end of the document: anything after the root element but comments and
        // whitespace (a second root, a NUL byte, which PostgreSQL refuses to store) is malformed.
        mapper.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        return mapper;
    }
}
