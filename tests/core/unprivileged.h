#pragma once

#include <QtGlobal>

#include <unistd.h>

// Root writes through any permission bits, so a test of refused writes runs as "nobody" while
// it lives; the effective id goes back to root when it ends.
class Unprivileged
{
public:
    Unprivileged()
        : m_wasRoot(::geteuid() == 0)
        , m_ok(!m_wasRoot || ::seteuid(nobody) == 0)
    {}
    ~Unprivileged()
    {
        if (m_wasRoot && m_ok && ::seteuid(0) != 0)
            qFatal("cannot return to the root user");
    }
    Q_DISABLE_COPY_MOVE(Unprivileged)

    bool isActive() const { return m_ok; }

private:
    static constexpr uid_t nobody = 65534;
    bool m_wasRoot;
    bool m_ok;
};
