// The TrainQEngine module. See DESIGN §1.
