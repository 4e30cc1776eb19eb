#include "clientconfig.h"

#include <QHostAddress>

using namespace Qt::Literals::StringLiterals;

namespace {} // namespace

ClientConfig ClientConfig::fromEnvironment()
{
    ClientConfig config;
    const QString baseUrl = qEnvironmentVariable("ANTHROPIC_BASE_URL").trimmed();
    if (!baseUrl.isEmpty())
        config.baseUrl = QUrl(baseUrl);
    config.apiKey = qEnvironmentVariable("ANTHROPIC_API_KEY").trimmed();
    return config;
}

QUrl ClientConfig::endpoint(QStringView path) const
{
    QUrl url = baseUrl;
    QString joined = url.path();
    while (joined.endsWith(u'/'))
        joined.chop(1);
    url.setPath(joined + path.toString());
    return url;
}

Expected<void> ClientConfig::checkTransport() const
{
    const QString scheme = baseUrl.scheme().toLower();
    if (!baseUrl.isValid() || (scheme != "https"_L1 && scheme != "http"_L1)
        || baseUrl.host().isEmpty())
        return fail(
            u"the base URL \"%1\" is not an http or https address"_s.arg(baseUrl.toString()));
    if (scheme == "http"_L1 && !apiKey.isEmpty() && !pointsToThisMachine()) {
        return fail(u"refusing to send the API key over plain http to %1; use https, or a "
                    "loopback address for a local simulator"_s.arg(baseUrl.host()));
    }
    return {};
}

bool ClientConfig::pointsToThisMachine() const
{
    const QString host = baseUrl.host();
    if (host.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}
