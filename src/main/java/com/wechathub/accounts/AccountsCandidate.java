package com.wechathub.accounts;

import com.wechathub.wechat.WechatConfigurationCheck;
import com.wechathub.wechat.WechatProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.BindMethod;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;

/**
 * The {@code wechat.*} settings as a set of property sources says them, bound and checked exactly as
 * at start-up ({@link WechatConfigurationCheck}): either the bound settings, or every problem, each
 * naming its key and, where the key is in a file, the file and line.
 */
record AccountsCandidate(WechatProperties properties, List<String> problems) {

    static AccountsCandidate of(MutablePropertySources sources, ConfigurableEnvironment running) {
        Binder binder = new Binder(ConfigurationPropertySources.from(sources),
                new PropertySourcesPlaceholdersResolver(sources), ApplicationConversionService.getSharedInstance());
        WechatProperties properties;
        try {
            properties = binder.bindOrCreate("wechat", Bindable.of(WechatProperties.class).withBindMethod(BindMethod.VALUE_OBJECT),
                    new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
        } catch (BindException e) {
            String where = e.getProperty() != null && e.getProperty().getOrigin() != null
                    ? " (" + where(e.getProperty().getOrigin()) + ")" : "";
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return new AccountsCandidate(null, List.of(e.getName() + ": " + cause.getMessage() + where));
        }
        Environment environment = new Environment(sources, running);
        List<String> problems = new ArrayList<>();
        for (String problem : WechatConfigurationCheck.problems(properties, environment)) {
            problems.add(withOrigin(problem, sources));
        }
        return new AccountsCandidate(properties, problems);
    }

    boolean valid() {
        return problems.isEmpty();
    }

    /** "wechat.accounts.shop.token: …" becomes "… (file [/etc/hub/application.yaml]:12:14)". */
    private static String withOrigin(String problem, MutablePropertySources sources) {
        if (problem.contains(" (") && problem.endsWith(")")) {
            return problem; // already says where
        }
        int end = 0;
        while (end < problem.length() && " :(".indexOf(problem.charAt(end)) < 0) {
            end++;
        }
        String key = problem.substring(0, end);
        if (!ConfigurationPropertyName.isValid(key)) {
            return problem;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(key);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.from(sources)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property == null && source instanceof org.springframework.boot.context.properties.source.IterableConfigurationPropertySource names) {
                property = names.stream().filter(n -> name.isAncestorOf(n)).findFirst()
                        .map(source::getConfigurationProperty).orElse(null);
            }
            if (property != null && property.getOrigin() != null) {
                return problem + " (" + where(property.getOrigin()) + ")";
            }
        }
        return problem;
    }

    /** file:line for a value from a file, as editors and the route validation name places. */
    static String where(Origin origin) {
        if (origin instanceof org.springframework.boot.origin.PropertySourceOrigin tracked && tracked.getOrigin() != null) {
            origin = tracked.getOrigin();
        }
        if (origin instanceof TextResourceOrigin text && text.getResource() != null && text.getLocation() != null) {
            try {
                return text.getResource().getFile().getPath() + ":" + (text.getLocation().getLine() + 1);
            } catch (java.io.IOException e) {
                return origin.toString();
            }
        }
        return origin.toString();
    }

    /** An environment of the given sources, with the running hub's profiles. */
    private static final class Environment extends StandardEnvironment {

        Environment(MutablePropertySources sources, ConfigurableEnvironment running) {
            super(sources);
            setActiveProfiles(running.getActiveProfiles());
            setDefaultProfiles(running.getDefaultProfiles());
        }

        @Override
        protected void customizePropertySources(MutablePropertySources propertySources) {
            // the given sources are the whole environment
        }
    }
}
