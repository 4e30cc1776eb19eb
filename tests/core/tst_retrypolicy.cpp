#include "client/apierror.h"
#include "retry/retrypolicy.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

// The virtual "now" every response in this file arrives at: Tuesday 1 December 2026, noon UTC.
const QDateTime arrival(QDate(2026, 12, 1), QTime(12, 0), Qt::UTC);

RetryPolicy policyWithRandom(double unit)
{
    RetryPolicy policy;
    policy.setRandomSource([unit] { return unit; });
    return policy;
}

ApiError httpError(int status, const QString &type, const QString &errorCode = {})
{
    ApiError error;
    error.kind = ApiError::Kind::Http;
    error.httpStatus = status;
    error.type = type;
    error.errorCode = errorCode;
    return error;
}

} // namespace

class tst_RetryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backoffStaysWithinJitterBounds_data();
    void backoffStaysWithinJitterBounds();
    void retryHintReplacesBackoff_data();
    void retryHintReplacesBackoff();
    void retryableFailures_data();
    void retryableFailures();
    void errorEnvelopeIsRead_data();
    void errorEnvelopeIsRead();
    void streamErrorEventIsRead();
    void describeIsOneReadableLine();
};

void tst_RetryPolicy::backoffStaysWithinJitterBounds_data()
{
    QTest::addColumn<qint64>("baseMs");
    QTest::addColumn<qint64>("maxMs");
    QTest::addColumn<int>("retry");
    QTest::addColumn<qint64>("lowest");
    QTest::addColumn<qint64>("highest");

    // Defaults: base 1000 ms, cap 60000 ms. wait = min(60000, 1000 * 2^n); the lowest draw (0)
    // adds nothing, the highest (0.999999) adds just under 10%, and the sum is rounded down.
    // n=0: 1000 + 99.9999 -> 1099
    QTest::newRow("retry 0") << 1000LL << 60000LL << 0 << 1000LL << 1099LL;
    // n=1: 2000 + 199.9998 -> 2199
    QTest::newRow("retry 1") << 1000LL << 60000LL << 1 << 2000LL << 2199LL;
    // n=2: 4000 + 399.9996 -> 4399
    QTest::newRow("retry 2") << 1000LL << 60000LL << 2 << 4000LL << 4399LL;
    // n=3: 8000 + 799.9992 -> 8799
    QTest::newRow("retry 3") << 1000LL << 60000LL << 3 << 8000LL << 8799LL;
    // n=4: 16000 + 1599.9984 -> 17599
    QTest::newRow("retry 4") << 1000LL << 60000LL << 4 << 16000LL << 17599LL;
    // n=5: 32000 + 3199.9968 -> 35199
    QTest::newRow("retry 5") << 1000LL << 60000LL << 5 << 32000LL << 35199LL;
    // n=6: 64000 is capped to 60000, + 5999.994 -> 65999
    QTest::newRow("retry 6 hits the cap") << 1000LL << 60000LL << 6 << 60000LL << 65999LL;
    QTest::newRow("retry 7 stays capped") << 1000LL << 60000LL << 7 << 60000LL << 65999LL;
    QTest::newRow("retry 200 does not overflow") << 1000LL << 60000LL << 200 << 60000LL << 65999LL;
    // base 500, cap 8000: n=3: 4000 + 399.9996 -> 4399; n=4: 8000 + 799.9992 -> 8799
    QTest::newRow("small base, retry 3") << 500LL << 8000LL << 3 << 4000LL << 4399LL;
    QTest::newRow("small base, retry 5 capped") << 500LL << 8000LL << 5 << 8000LL << 8799LL;
}

void tst_RetryPolicy::backoffStaysWithinJitterBounds()
{
    QFETCH(qint64, baseMs);
    QFETCH(qint64, maxMs);
    QFETCH(int, retry);
    QFETCH(qint64, lowest);
    QFETCH(qint64, highest);

    RetryPolicy low = policyWithRandom(0.0);
    RetryPolicy high = policyWithRandom(0.999999);
    for (RetryPolicy *policy : {&low, &high}) {
        policy->setBaseDelayMs(baseMs);
        policy->setMaxDelayMs(maxMs);
    }

    QCOMPARE(low.backoffMs(retry), lowest);
    QCOMPARE(high.backoffMs(retry), highest);
    QCOMPARE(low.delayMs(retry, httpError(503, u"api_error"_s)), lowest);
}

void tst_RetryPolicy::retryHintReplacesBackoff_data()
{
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<qint64>("hint");    // -1: no hint
    QTest::addColumn<qint64>("delayMs"); // the first retry's wait, capped at 60000

    // Without a hint the first retry waits 1000 ms (random source 0).
    QTest::newRow("milliseconds") << HttpHeaders{{"retry-after-ms", "300"}} << 300LL << 300LL;
    QTest::newRow("fractional milliseconds round up")
        << HttpHeaders{{"retry-after-ms", "250.2"}} << 251LL << 251LL;
    QTest::newRow("seconds") << HttpHeaders{{"retry-after", "2"}} << 2000LL << 2000LL;
    QTest::newRow("float seconds") << HttpHeaders{{"retry-after", " 1.5 "}} << 1500LL << 1500LL;
    QTest::newRow("header name in any case")
        << HttpHeaders{{"Retry-After", "7"}} << 7000LL << 7000LL;
    QTest::newRow("milliseconds win over seconds")
        << HttpHeaders{{"retry-after", "9"}, {"retry-after-ms", "40"}} << 40LL << 40LL;
    QTest::newRow("garbage milliseconds fall back to seconds")
        << HttpHeaders{{"retry-after-ms", "soon"}, {"retry-after", "3"}} << 3000LL << 3000LL;
    // 12:00:05 is 5 s after the virtual arrival at 12:00:00.
    QTest::newRow("HTTP date 5 s ahead")
        << HttpHeaders{{"retry-after", "Tue, 01 Dec 2026 12:00:05 GMT"}} << 5000LL << 5000LL;
    QTest::newRow("HTTP date in the past")
        << HttpHeaders{{"retry-after", "Tue, 01 Dec 2026 11:59:00 GMT"}} << 0LL << 0LL;
    // 14:00:00 is 2 h = 7,200,000 ms ahead; the policy caps the wait at 60000.
    QTest::newRow("HTTP date far ahead is capped")
        << HttpHeaders{{"retry-after", "Tue, 01 Dec 2026 14:00:00 GMT"}} << 7200000LL << 60000LL;
    QTest::newRow("seconds above the cap")
        << HttpHeaders{{"retry-after", "3600"}} << 3600000LL << 60000LL;
    QTest::newRow("negative seconds") << HttpHeaders{{"retry-after", "-3"}} << 0LL << 0LL;
    QTest::newRow("negative milliseconds") << HttpHeaders{{"retry-after-ms", "-1"}} << 0LL << 0LL;
    QTest::newRow("garbage") << HttpHeaders{{"retry-after", "in a while"}} << -1LL << 1000LL;
    QTest::newRow("date without GMT")
        << HttpHeaders{{"retry-after", "Tue, 01 Dec 2026 12:00:05"}} << -1LL << 1000LL;
    QTest::newRow("not a number") << HttpHeaders{{"retry-after", "nan"}} << -1LL << 1000LL;
    QTest::newRow("empty") << HttpHeaders{{"retry-after", ""}} << -1LL << 1000LL;
    QTest::newRow("absent") << HttpHeaders{{"request-id", "req_1"}} << -1LL << 1000LL;
}

void tst_RetryPolicy::retryHintReplacesBackoff()
{
    QFETCH(HttpHeaders, headers);
    QFETCH(qint64, hint);
    QFETCH(qint64, delayMs);

    const ApiError error = ApiError::fromHttpResponse(429, {}, headers, arrival);

    QCOMPARE(error.retryAfterMs, hint < 0 ? std::nullopt : std::optional<qint64>(hint));
    QCOMPARE(policyWithRandom(0.0).delayMs(0, error), delayMs);
}

void tst_RetryPolicy::retryableFailures_data()
{
    QTest::addColumn<ApiError>("error");
    QTest::addColumn<bool>("retried");

    const QList<std::pair<int, bool>> statuses = {
        {400, false}, {401, false}, {402, false}, {403, false}, {404, false},
        {408, true},  {409, true},  {413, false}, {422, false}, {429, true},
        {500, true},  {502, true},  {503, true},  {504, true},  {529, true},
    };
    for (const auto &[status, retried] : statuses) {
        const QString type = ApiError::typeForStatus(status);
        QTest::addRow("HTTP %d %s", status, qPrintable(type)) << httpError(status, type) << retried;
    }

    using Kind = ApiError::Kind;
    QTest::newRow("connection refused")
        << ApiError::local(Kind::Connection, u"Connection refused"_s) << true;
    QTest::newRow("timeout") << ApiError::local(Kind::Timeout, u"no answer in 600 s"_s) << true;
    QTest::newRow("cancelled") << ApiError::local(Kind::Cancelled, u"cancelled"_s) << false;
    QTest::newRow("protocol") << ApiError::local(Kind::Protocol, u"not JSON"_s) << false;
    QTest::newRow("not sent") << ApiError::local(Kind::Configuration, u"plain http"_s) << false;
    QTest::newRow("overloaded inside a 200 stream")
        << ApiError::fromStreamEvent(R"({"type":"error","error":{"type":"overloaded_error",)"
                                     R"("message":"Overloaded"}})",
                                     u"req_1"_s)
        << false;
    QTest::newRow("429 spend limit reached")
        << httpError(429, u"rate_limit_error"_s, u"enforced_spend_limit_reached"_s) << false;
    QTest::newRow("429 with another error code")
        << httpError(429, u"rate_limit_error"_s, u"acceleration_limit"_s) << true;
}

void tst_RetryPolicy::retryableFailures()
{
    QFETCH(ApiError, error);
    QFETCH(bool, retried);

    QCOMPARE(RetryPolicy().shouldRetry(error), retried);
}

void tst_RetryPolicy::errorEnvelopeIsRead_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("requestId");
    QTest::addColumn<QString>("errorCode");

    const HttpHeaders json{{"Content-Type", "application/json"}, {"Request-Id", "req_hdr"}};

    QTest::newRow("rate limit") << 429
                                << QByteArray(
                                       R"({"type":"error","error":{"type":"rate_limit_error",)"
                                       R"("message":"Too many requests"},"request_id":"req_body"})")
                                << json << u"rate_limit_error"_s << u"Too many requests"_s
                                << u"req_hdr"_s << QString();
    QTest::newRow("spend limit with details")
        << 429
        << QByteArray(R"({"type":"error","error":{"type":"rate_limit_error","message":"Cap",)"
                      R"("details":{"error_code":"enforced_spend_limit_reached"}}})")
        << json << u"rate_limit_error"_s << u"Cap"_s << u"req_hdr"_s
        << u"enforced_spend_limit_reached"_s;
    QTest::newRow("request id from the body when the header is missing")
        << 529
        << QByteArray(R"({"type":"error","error":{"type":"overloaded_error",)"
                      R"("message":"Overloaded"},"request_id":"req_body"})")
        << HttpHeaders{} << u"overloaded_error"_s << u"Overloaded"_s << u"req_body"_s << QString();
    QTest::newRow("padded JSON")
        << 404
        << QByteArray("{ \"type\": \"error\",\n \"error\": {\"type\": \"not_found_error\", "
                      "\"message\": \"model: claude-x\"}}      ")
        << json << u"not_found_error"_s << u"model: claude-x"_s << u"req_hdr"_s << QString();
    QTest::newRow("HTML 413 from a proxy")
        << 413 << QByteArray("<html><body><h1>413 Request Entity Too Large</h1></body></html>")
        << HttpHeaders{{"content-type", "text/html"}} << u"request_too_large"_s
        << u"the response body was not the API's JSON error (63 bytes of text/html)"_s << QString()
        << QString();
    QTest::newRow("empty 502") << 502 << QByteArray() << HttpHeaders{} << u"api_error"_s
                               << u"the response body was not the API's JSON error (0 bytes)"_s
                               << QString() << QString();
    QTest::newRow("JSON that is not the envelope")
        << 422 << QByteArray(R"({"detail":"bad"})") << json << u"invalid_request_error"_s
        << u"the response body was not the API's JSON error (16 bytes of application/json)"_s
        << u"req_hdr"_s << QString();
    QTest::newRow("envelope without type or message")
        << 500 << QByteArray(R"({"type":"error","error":{}})") << json << u"api_error"_s
        << u"the API gave no message"_s << u"req_hdr"_s << QString();
}

void tst_RetryPolicy::errorEnvelopeIsRead()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(HttpHeaders, headers);
    QFETCH(QString, type);
    QFETCH(QString, message);
    QFETCH(QString, requestId);
    QFETCH(QString, errorCode);

    const ApiError error = ApiError::fromHttpResponse(status, body, headers, arrival);

    QCOMPARE(error.kind, ApiError::Kind::Http);
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.type, type);
    QCOMPARE(error.message, message);
    QCOMPARE(error.requestId, requestId);
    QCOMPARE(error.errorCode, errorCode);
}

void tst_RetryPolicy::streamErrorEventIsRead()
{
    const ApiError error = ApiError::fromStreamEvent(
        R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
        u"req_stream"_s);

    QCOMPARE(error.kind, ApiError::Kind::Stream);
    QCOMPARE(error.httpStatus, 0);
    QCOMPARE(error.type, u"overloaded_error"_s);
    QCOMPARE(error.message, u"Overloaded"_s);
    QCOMPARE(error.requestId, u"req_stream"_s);
}

void tst_RetryPolicy::describeIsOneReadableLine()
{
    const ApiError error = ApiError::fromHttpResponse(
        429,
        R"({"type":"error","error":{"type":"rate_limit_error","message":"Spend cap\nreached",)"
        R"("details":{"error_code":"enforced_spend_limit_reached"}}})",
        {{"request-id", "req_42"}}, arrival);

    QCOMPARE(error.describe(), u"HTTP 429 rate_limit_error (enforced_spend_limit_reached): "
                               "Spend cap reached [request-id req_42]"_s);
    QCOMPARE(ApiError::local(ApiError::Kind::Connection, u"Connection refused"_s).describe(),
             u"connection error: Connection refused"_s);
}

QTEST_GUILESS_MAIN(tst_RetryPolicy)
#include "tst_retrypolicy.moc"
