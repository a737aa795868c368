#pragma once
// QCustomPlot's header uses Qt's keywords (signals, slots, emit, foreach), which the whole
// project turns off (QT_NO_KEYWORDS, because of LibTorch); they are lent to it here only.
#if defined(signals) || defined(slots) || defined(emit) || defined(foreach)
#include <qcustomplot.h>
#else
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
#endif
