#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

// Why an operation failed, in words a person can act on ("prices.json: line 3: ...").
struct Failure
{
    QString message;
};

inline Failure fail(QString message)
{
    return Failure{std::move(message)};
}

// Either a value or a Failure. Core returns this instead of throwing, so errors can cross
// signals, threads and process boundaries as plain data. Reading value() of a failure, or
// error() of a success, is a programming error and asserts.
template<typename T>
class [[nodiscard]] Expected
{
public:
    Expected(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    {}
    Expected(Failure failure)
        : m_state(std::in_place_index<1>, std::move(failure))
    {}

    bool hasValue() const { return m_state.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    const T &value() const &
    {
        Q_ASSERT(hasValue());
        return std::get<0>(m_state);
    }
    T &value() &
    {
        Q_ASSERT(hasValue());
        return std::get<0>(m_state);
    }
    T &&value() &&
    {
        Q_ASSERT(hasValue());
        return std::get<0>(std::move(m_state));
    }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const QString &error() const
    {
        Q_ASSERT(!hasValue());
        return std::get<1>(m_state).message;
    }

private:
    std::variant<T, Failure> m_state;
};

// Success or a Failure, for operations that produce nothing else.
template<>
class [[nodiscard]] Expected<void>
{
public:
    Expected() = default;
    Expected(Failure failure)
        : m_error(std::move(failure.message))
    {}

    bool hasValue() const { return !m_error.has_value(); }
    explicit operator bool() const { return hasValue(); }

    const QString &error() const
    {
        Q_ASSERT(!hasValue());
        return *m_error;
    }

private:
    std::optional<QString> m_error;
};
