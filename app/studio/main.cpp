// `bitshift`: the Qt studio. `bitshift [PROJECT.json]` opens a project, else the default:
// the shipped ResNet-20 baseline on Fashion-MNIST with a NICE w4a4 plan.
// Two options serve the benchmarks (tests/bench/gui_bench.sh): --measure-startup prints the
// time from process start to the first painted window and quits; --train starts the
// project's fine-tuning at once and, with --quit-after-run, prints its wall time and quits.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>
#include <QWindow>
#include <cstdio>

#include "main_window.h"
#include "training_job.h"

int main(int argc, char** argv) {
  QElapsedTimer since_start;
  since_start.start();
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("bitshift"));
  QApplication::setOrganizationName(QStringLiteral("bitshift"));
  QApplication::setApplicationVersion(QStringLiteral(BITSHIFT_VERSION));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Bitshift: a quantization studio for CNNs"));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("a project file to open"));
  const QCommandLineOption measure_startup(QStringLiteral("measure-startup"),
                                           QStringLiteral("print the time to the first painted window and quit"));
  const QCommandLineOption train(QStringLiteral("train"), QStringLiteral("start fine-tuning at once"));
  const QCommandLineOption quit_after_run(QStringLiteral("quit-after-run"),
                                          QStringLiteral("with --train: print the run's wall time and quit"));
  parser.addOptions({measure_startup, train, quit_after_run});
  parser.process(app);

  bitshift::app::Project project;
  if (!parser.positionalArguments().isEmpty()) {
    QString error;
    if (!bitshift::app::load_project(parser.positionalArguments().front(), &project, &error)) {
      std::fprintf(stderr, "bitshift: %s\n", qPrintable(error));
      return 2;
    }
  }
  bitshift::app::MainWindow window(project);
  window.show();
  QTimer exposed;  // --measure-startup: polls until the window is on screen, then one more turn
  if (parser.isSet(measure_startup)) {
    QObject::connect(&exposed, &QTimer::timeout, &window, [&] {
      if (!window.windowHandle() || !window.windowHandle()->isExposed()) return;
      exposed.stop();
      QTimer::singleShot(0, &window, [&] {
        std::printf("window painted %lld ms after process start\n",
                    static_cast<long long>(since_start.elapsed()));
        app.quit();
      });
    });
    exposed.start(2);
  }
  if (parser.isSet(train)) {
    if (parser.isSet(quit_after_run)) {
      QObject::connect(window.trainingJob(), &bitshift::app::TrainingJob::finishedRun, &app,
                       [&](const bitshift::widgets::RunRow& run) {
                         std::printf("run %s: top-1 %.2f %%, training wall time %.3f s\n",
                                     qPrintable(run.name), run.top1, run.wall_seconds);
                         app.exit(0);  // not quit(): Qt 6 would ask the window to close
                       });
      QObject::connect(window.trainingJob(), &bitshift::app::TrainingJob::failed, &app,
                       [&](const QString& message) {
                         std::fprintf(stderr, "bitshift: %s\n", qPrintable(message));
                         app.exit(1);
                       });
    }
    QTimer::singleShot(0, &window, [&] {
      // A project that cannot train (invalid method, plan, model) must not leave a
      // --quit-after-run studio waiting forever for a run that never starts.
      if (!window.startTraining() && parser.isSet(quit_after_run)) {
        std::fprintf(stderr, "bitshift: cannot train this project: %s\n", qPrintable(window.lastError()));
        app.exit(2);
      }
    });
  }
  return app.exec();
}
