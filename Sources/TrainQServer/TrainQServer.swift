// The TrainQServer module. See DESIGN §1.
