#pragma once
// The left panel: which model on which data, the plan preset (method, bits, first/last
// layers) and the fine-tuning budget. Says what the user asked for; the main window acts.
#include <QWidget>

#include "project.h"
#include "widgets/studio_types.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace bitshift::app {

class ModelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  QString model() const;
  QString data() const;
  QString method() const;
  QString preset() const;
  QString edges() const;  // empty = the method's own policy
  TrainingSettings training() const;

  // Shows a project's choices without asking for anything.
  void show(const Project& project);
  // Puts a model file (or zoo name) in the model box without asking for anything; the main
  // window then opens it.
  void setModel(const QString& model);
  // After a model or data that could not be opened: shows `model` and `data` again (what is
  // still open) and drops the failed file from its box. Asks for nothing.
  void restore(const QString& model, const QString& data);
  void setOrigin(const QString& text);  // where the weights came from
  QString origin() const;
  void setPreset(const QString& preset);

  // The combos, for tests driving the panel as a user would.
  QComboBox* modelBox() const { return model_; }
  QComboBox* methodBox() const { return method_; }
  QComboBox* presetBox() const { return preset_; }
  QComboBox* edgesBox() const { return edges_; }
  QSpinBox* epochsBox() const { return epochs_; }

  // "Models (*.onnx *.pt *.pth *.bsck);;All files (*)", for every model file dialog.
  static QString modelFileFilter();
  // Whether `path` names a file the model box opens: ONNX, TorchScript or a Bitshift checkpoint.
  static bool isModelFile(const QString& path);

 Q_SIGNALS:
  void modelRequested();   // model or data changed (or a model file was picked)
  void presetRequested();  // method, preset or first/last policy changed, or Apply pressed
  void settingsEdited();   // a fine-tuning setting changed

 private:
  void chooseModelFile();

  QComboBox* model_;
  QComboBox* data_;
  QLabel* origin_;
  QComboBox* method_;
  QComboBox* preset_;
  QComboBox* edges_;
  QSpinBox* epochs_;
  QDoubleSpinBox* lr_;
  QSpinBox* train_limit_;
  QSpinBox* test_limit_;
  QSpinBox* seed_;
  QSpinBox* processes_;
  int zoo_entries_ = 0;  // the boxes' built-in entries come first
  int dataset_entries_ = 0;
  bool quiet_ = false;  // set while show() fills the fields
};

}  // namespace bitshift::app
