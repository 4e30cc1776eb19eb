#pragma once

#include <QAbstractAxis>
#include <QChart>

// Empties a chart for new data: removes its series (QChart deletes those) and its axes, which
// QChart only lets go of, so they are deleted here.
inline void resetChart(QChart *chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}
